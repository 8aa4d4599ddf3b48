"""The clinician-only safety flag and the practice's safety settings: set and clear a flag (who,
when, why, audited), the policy it brings (joint work and sharing held or off), and shares the
clinician releases while a couple is flagged.

Nothing here is ever reachable from the portal: these functions take a staff user, and the
portal's services only ask `sharing_hold`, which answers with ids, never with the flag.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from ..audit.services import record
from ..couples.models import Couple
from ..couples.services import get_couple
from ..database import remember, remembered
from ..errors import DomainError
from ..extensions import db
from ..timeutil import utcnow
from .models import REASON_MAX, RELEASE_KINDS, SHARING_POLICIES, SafetyFlag, SafetySettings, ShareRelease

# --- settings ---------------------------------------------------------------------------------

def settings_for(practice_id: int) -> SafetySettings:
    """The practice's safety settings; an unsaved row with the defaults if it never saved any.
    Looked up once per transaction."""
    return remembered(db.session, ("safety_settings", practice_id), lambda: _settings(practice_id))


def with_settings(query: sa.Select, practice_id) -> sa.Select:
    """`query` with one more column: the settings row of the practice `practice_id` names (None
    when it never saved any); hand it to settings_found."""
    return query.add_columns(SafetySettings).outerjoin(
        SafetySettings, SafetySettings.practice_id == practice_id)


def settings_found(practice_id: int, found: SafetySettings | None) -> None:
    """The practice's settings row (or its absence) was read with something else: settings_for
    answers from it for the rest of the transaction."""
    remember(db.session, ("safety_settings", practice_id),
             found if found is not None else _settings(practice_id, look=False))


def _settings(practice_id: int, *, look: bool = True) -> SafetySettings:
    found = db.session.get(SafetySettings, practice_id) if look else None
    if found is not None:
        return found
    return SafetySettings(practice_id=practice_id, sharing_policy="confirm", questions=None,
                          contacts=[], offer_at_first_visit=False)


def own_settings(owner) -> SafetySettings:
    """The owner's practice's settings, for its settings page; NotFound for anyone else."""
    if not owner.is_owner:
        raise NotFound()
    return settings_for(owner.practice_id)


def _own_settings(owner) -> SafetySettings:
    found = own_settings(owner)
    if found not in db.session:
        db.session.add(found)
    return found


def set_sharing_policy(owner, policy: str, offer_at_first_visit: bool) -> SafetySettings:
    """An owner chooses what a flag does (`confirm` or `off`) and whether the check-in is offered
    at each partner's first visit. NotFound for anyone but an owner; DomainError(field="policy")."""
    if policy not in SHARING_POLICIES:
        raise DomainError(_("Choose one of the policies offered."), field="policy")
    settings = _own_settings(owner)
    settings.sharing_policy = policy
    settings.offer_at_first_visit = bool(offer_at_first_visit)
    settings.updated_at, settings.updated_by_id = utcnow(), owner.id
    record("safety.settings", user=owner, object_type="practice", object_id=owner.practice_id,
           detail={"policy": policy, "first_visit": bool(offer_at_first_visit)})
    db.session.commit()
    return settings


# --- the flag -----------------------------------------------------------------------------------

def open_flag(couple_id: int) -> SafetyFlag | None:
    """The couple's open flag, if any (for services that apply its policy; shows nothing).
    Looked up once per transaction."""
    return remembered(db.session, ("open_flag", couple_id), lambda: db.session.scalar(
        sa.select(SafetyFlag).where(SafetyFlag.couple_id == couple_id, SafetyFlag.cleared_at.is_(None))
    ))


@dataclass(frozen=True)
class FlagView:
    """A flag as the clinician's pages show it (plain data: templates never query)."""

    id: int
    partner_name: str | None
    reason: str
    set_by: str
    set_at: datetime
    cleared_by: str | None
    cleared_at: datetime | None
    clear_reason: str | None


@dataclass(frozen=True)
class CoupleSafety:
    """What the couple page shows of safety: the open flag, the earlier ones, the policy."""

    flag: FlagView | None
    history: list[FlagView]
    policy: str


def _view(flag: SafetyFlag, names: dict[int, str]) -> FlagView:
    return FlagView(
        id=flag.id, partner_name=names.get(flag.partner_id), reason=flag.reason,
        set_by=flag.set_by.name, set_at=flag.set_at,
        cleared_by=flag.cleared_by.name if flag.cleared_by else None,
        cleared_at=flag.cleared_at, clear_reason=flag.clear_reason,
    )


def couple_safety(user, couple_id: int) -> CoupleSafety:
    """The couple's flags for its page, newest first (the page's read is audited by the couple's
    view). NotFound outside the user's caseload."""
    couple = get_couple(user, couple_id)
    names = {p.id: p.display_name for p in couple.partners}
    flags = db.session.scalars(
        sa.select(SafetyFlag).where(SafetyFlag.couple_id == couple.id)
        .options(sa.orm.selectinload(SafetyFlag.set_by), sa.orm.selectinload(SafetyFlag.cleared_by))
        .order_by(SafetyFlag.set_at.desc(), SafetyFlag.id.desc())
    ).all()
    views = [_view(f, names) for f in flags]
    remember(db.session, ("open_flag", couple.id), next((f for f in flags if f.cleared_at is None), None))
    current = next((v for f, v in zip(flags, views, strict=True) if f.cleared_at is None), None)
    return CoupleSafety(
        flag=current, history=[v for v in views if v is not current],
        policy=settings_for(couple.practice_id).sharing_policy,
    )


def _reason(text: str | None, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Say why, in a few words: the next clinician to read this will need it."),
                          field=field)
    if len(text) > REASON_MAX:
        raise DomainError(_("Keep it under %(num)d characters.", num=REASON_MAX), field=field)
    return text


def _lock(couple: Couple) -> None:
    """Serialise flag changes on one couple (PostgreSQL row lock; SQLite's writes are serial)."""
    db.session.execute(sa.select(Couple.id).where(Couple.id == couple.id).with_for_update())


def set_flag(user, couple_id: int, reason: str, partner_id: int | None = None) -> SafetyFlag:
    """Flag a couple (and, if named, the partner it concerns), with the reason.

    Raises NotFound outside the user's caseload or for a partner of another couple, DomainError
    when the reason is empty or the couple is already flagged.
    """
    couple = get_couple(user, couple_id)
    if partner_id is not None and partner_id not in {p.id for p in couple.partners}:
        raise NotFound()
    text = _reason(reason, "reason")
    _lock(couple)
    if open_flag(couple.id) is not None:
        raise DomainError(_("This couple already has a safety flag: clear it first to set another."))
    flag = SafetyFlag(couple_id=couple.id, partner_id=partner_id, reason=text, set_by_id=user.id,
                      set_at=utcnow())
    db.session.add(flag)
    db.session.flush()
    # The reason stays in the flag (clinical record); the audit trail keeps ids only.
    record("safety.flag_set", user=user, object_type="safety_flag", object_id=flag.id,
           couple_id=couple.id, detail={"partner": partner_id})
    db.session.commit()
    return flag


def clear_flag(user, couple_id: int, reason: str) -> SafetyFlag:
    """Clear the couple's open flag, saying why. Raises NotFound outside the caseload,
    DomainError when the reason is empty or there is no flag to clear."""
    couple = get_couple(user, couple_id)
    text = _reason(reason, "clear_reason")
    _lock(couple)
    flag = open_flag(couple.id)
    if flag is None:
        raise DomainError(_("This couple has no safety flag to clear."))
    flag.cleared_at, flag.cleared_by_id, flag.clear_reason = utcnow(), user.id, text
    record("safety.flag_clear", user=user, object_type="safety_flag", object_id=flag.id,
           couple_id=couple.id)
    db.session.commit()
    return flag


def flagged_couples(couple_ids: list[int]) -> set[int]:
    """Which of these couples (already scoped by the caller) have an open flag: one query."""
    if not couple_ids:
        return set()
    return set(db.session.scalars(
        sa.select(SafetyFlag.couple_id).where(
            SafetyFlag.couple_id.in_(couple_ids), SafetyFlag.cleared_at.is_(None)
        )
    ))


# --- the policy ---------------------------------------------------------------------------------

def check_joint_work(couple_id: int, *, confirmed: bool) -> bool:
    """May joint work be assigned to this couple now? True when the couple is flagged and the
    clinician confirmed (the caller records that in its audit event); False when not flagged.

    Raises DomainError(field="confirm_joint") when the flag asks for a confirmation not given,
    or when the practice's policy turns joint work off under a flag.
    """
    flag = open_flag(couple_id)
    if flag is None:
        return False
    policy = settings_for(db.session.get(Couple, couple_id).practice_id).sharing_policy
    if policy == "off":
        raise DomainError(_("This couple has a safety flag, and the practice's policy turns joint "
                            "exercises off while it stands."), field="confirm_joint")
    if not confirmed:
        raise DomainError(_("This couple has a safety flag: joint exercises need your confirmation "
                            "that working together is safe for both partners now."),
                          field="confirm_joint")
    return True


def sharing_hold(couple_id: int) -> set[tuple[str, int]] | None:
    """Whether what one partner shares may reach the other: None when it may (no flag); else
    the (kind, id) items the clinician released (none at all under the `off` policy)."""
    flag = open_flag(couple_id)
    if flag is None:
        return None
    policy = settings_for(db.session.get(Couple, couple_id).practice_id).sharing_policy
    if policy == "off":
        return set()
    return {
        (kind, item_id) for kind, item_id in db.session.execute(
            sa.select(ShareRelease.kind, ShareRelease.item_id).where(ShareRelease.couple_id == couple_id)
        )
    }


def release_share(user, couple_id: int, kind: str, item_id: int, held: set[tuple[str, int]]) -> None:
    """Let one held item (one of `held`, the couple's shared items the caller found held) reach
    the other partner. Raises NotFound outside the caseload or for an item not held, DomainError
    when the couple is not flagged or the policy keeps sharing off."""
    couple = get_couple(user, couple_id)
    if kind not in RELEASE_KINDS or (kind, item_id) not in held:
        raise NotFound()
    if open_flag(couple.id) is None:
        raise DomainError(_("This couple has no safety flag: shared entries reach the other partner "
                            "as usual."))
    if settings_for(couple.practice_id).sharing_policy == "off":
        raise DomainError(_("The practice's policy keeps sharing off while a couple is flagged."))
    db.session.add(ShareRelease(couple_id=couple.id, kind=kind, item_id=item_id,
                                released_by_id=user.id, released_at=utcnow()))
    record("safety.share_release", user=user, object_type=kind, object_id=item_id,
           couple_id=couple.id)
    db.session.commit()
