"""Use cases for couples: the scoped getter, the caseload, creation, edits, stage and status moves."""

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from ..audit.services import record, record_access
from ..auth.models import User
from ..database import remember, remembered
from ..domain import CASELOAD_ROLES, ChangeKind, CoupleStatus, Role, Stage
from ..errors import DomainError
from ..extensions import db
from ..i18n import LANGUAGES
from ..timeutil import utcnow
from .models import STATUS_WORDS, Couple, CoupleChange, Partner

_PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class PartnerInput:
    name: str
    preferred_name: str | None = None
    pronouns: str | None = None
    email: str | None = None
    locale: str | None = None  # None: the practice's language for a new partner, unchanged on edit


@dataclass
class CoupleInput:
    case_label: str
    partner_a: PartnerInput
    partner_b: PartnerInput
    current_stage: int = 1
    primary_clinician_id: int | None = None


def caseload_query(user: User) -> sa.Select:
    """Couples this user may open: the practice's for an owner, their own for a clinician."""
    if not user.sees_charts:
        raise NotFound()
    query = sa.select(Couple).where(Couple.practice_id == user.practice_id)
    if user.role == Role.CLINICIAN:
        query = query.where(Couple.primary_clinician_id == user.id)
    return query


def get_couple(user: User, couple_id: int) -> Couple:
    """The one place that decides who reaches a couple: NotFound for anything outside.

    The couple comes with its partners; asked again for the same user and couple in the same
    transaction, it answers from memory (database.remembered)."""
    return remembered(db.session, ("couple", user.id, couple_id), lambda: _reach(user, couple_id))


def _reach(user: User, couple_id: int) -> Couple:
    couple = db.session.execute(
        caseload_query(user).where(Couple.id == couple_id).options(sa.orm.joinedload(Couple.partners))
    ).unique().scalar_one_or_none()
    if couple is None:
        raise NotFound()
    return couple


def view_couple(user: User, couple_id: int) -> Couple:
    """Open a couple's record; the read is audited (in its own short transaction, so nothing
    loaded here is expired). The couple comes with the clinician, partners and changes its page
    shows."""
    couple = db.session.execute(
        caseload_query(user).where(Couple.id == couple_id).options(
            sa.orm.joinedload(Couple.primary_clinician), sa.orm.joinedload(Couple.partners),
            sa.orm.joinedload(Couple.changes),
        )
    ).unique().scalar_one_or_none()
    if couple is None:
        raise NotFound()
    record_access("couple.view", user=user, object_type="couple", object_id=couple_id,
                  couple_id=couple_id)
    return remember(db.session, ("couple", user.id, couple_id), couple)


@dataclass(frozen=True)
class CaseloadFilter:
    q: str = ""
    stage: int | None = None
    status: str | None = None


def list_caseload(user: User, filters: CaseloadFilter, *, page: int, per_page: int):
    """The user's caseload, most recent activity first, searched and filtered; audited."""
    query = caseload_query(user)
    if filters.q:
        needle = filters.q.strip()
        partner_match = (
            sa.select(Partner.id)
            .where(Partner.couple_id == Couple.id)
            .where(
                sa.or_(
                    Partner.name.icontains(needle, autoescape=True),
                    Partner.preferred_name.icontains(needle, autoescape=True),
                )
            )
            .exists()
        )
        query = query.where(sa.or_(Couple.case_label.icontains(needle, autoescape=True), partner_match))
    if filters.stage:
        query = query.where(Couple.current_stage == filters.stage)
    if filters.status:
        query = query.where(Couple.status == filters.status)
    query = query.options(sa.orm.joinedload(Couple.partners)).order_by(
        Couple.last_activity_at.desc(), Couple.id.desc()
    )
    record_access("caseload.view", user=user, detail={"page": page})
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def clinician_choices(user: User) -> list[User]:
    """Who may hold a caseload in the user's practice (active owners and clinicians)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.practice_id == user.practice_id, User.active.is_(True))
            .where(User.role.in_(CASELOAD_ROLES))
            .order_by(User.name)
        )
    )


def _resolve_clinician(user: User, requested_id: int | None) -> int:
    if not user.is_owner or requested_id is None:
        return user.id
    if requested_id not in {c.id for c in clinician_choices(user)}:
        raise DomainError(_("Choose a clinician of this practice."), field="primary_clinician_id")
    return requested_id


def _new_pseudonym(practice_id: int) -> str:
    while True:
        candidate = "C-" + "".join(secrets.choice(_PSEUDONYM_ALPHABET) for _ in range(6))
        taken = db.session.scalar(
            sa.select(Couple.id).where(Couple.practice_id == practice_id, Couple.pseudonym == candidate)
        )
        if taken is None:
            return candidate


def _check_stage(stage: int) -> None:
    if stage not in Stage._value2member_map_:
        raise DomainError(_("Choose a stage from 1 to 6."), field="current_stage")


def _apply_partner(partner: Partner, data: PartnerInput) -> None:
    if data.locale is not None:
        if data.locale not in LANGUAGES:
            raise DomainError(_("Choose one of the languages offered."))
        partner.locale = data.locale
    partner.name = data.name.strip()
    partner.preferred_name = (data.preferred_name or "").strip() or None
    partner.pronouns = (data.pronouns or "").strip() or None
    partner.email = (data.email or "").strip().lower() or None


def create_couple(user: User, data: CoupleInput) -> Couple:
    """Create a couple with both partners in the user's practice.

    Raises DomainError (field `current_stage` or `primary_clinician_id`) on invalid choices.
    """
    if not user.sees_charts:
        raise NotFound()
    _check_stage(data.current_stage)
    now = utcnow()
    couple = Couple(
        practice_id=user.practice_id,
        primary_clinician_id=_resolve_clinician(user, data.primary_clinician_id),
        case_label=data.case_label.strip(),
        status=CoupleStatus.ACTIVE,
        current_stage=data.current_stage,
        pseudonym=_new_pseudonym(user.practice_id),
        created_at=now,
        last_activity_at=now,
    )
    for position, partner_data in (("A", data.partner_a), ("B", data.partner_b)):
        partner = Partner(position=position, locale=user.practice.locale)
        _apply_partner(partner, partner_data)
        couple.partners.append(partner)
    db.session.add(couple)
    db.session.flush()
    db.session.add(
        CoupleChange(
            couple_id=couple.id, kind=ChangeKind.CREATED, to_value=str(data.current_stage),
            changed_by_id=user.id, changed_at=now,
        )
    )
    record("couple.create", user=user, object_type="couple", object_id=couple.id, couple_id=couple.id)
    db.session.commit()
    return couple


def update_couple(user: User, couple_id: int, data: CoupleInput) -> Couple:
    """Edit the label, the partners' details and (owners only) the primary clinician."""
    couple = get_couple(user, couple_id)
    couple.case_label = data.case_label.strip()
    if user.is_owner and data.primary_clinician_id:
        couple.primary_clinician_id = _resolve_clinician(user, data.primary_clinician_id)
    partners = {p.position: p for p in couple.partners}
    _apply_partner(partners["A"], data.partner_a)
    _apply_partner(partners["B"], data.partner_b)
    couple.last_activity_at = utcnow()
    record("couple.update", user=user, object_type="couple", object_id=couple.id, couple_id=couple.id)
    db.session.commit()
    return couple


def _change(user: User, couple: Couple, kind: ChangeKind, old: str, new: str) -> None:
    now = utcnow()
    db.session.add(
        CoupleChange(
            couple_id=couple.id, kind=kind, from_value=old, to_value=new,
            changed_by_id=user.id, changed_at=now,
        )
    )
    couple.last_activity_at = now
    record(
        f"couple.{kind}", user=user, object_type="couple", object_id=couple.id,
        couple_id=couple.id, detail={"from": old, "to": new},
    )


def move_stage(user: User, couple_id: int, stage: int) -> Couple:
    """Move a couple to any stage (the stages are cyclical: revisiting is allowed).

    Raises DomainError(field="stage") for a stage outside 1-6 or the current one.
    """
    couple = get_couple(user, couple_id)
    if stage not in Stage._value2member_map_:
        raise DomainError(_("Choose a stage from 1 to 6."), field="stage")
    if stage == couple.current_stage:
        raise DomainError(_("The couple is already in this stage."), field="stage")
    _change(user, couple, ChangeKind.STAGE, str(couple.current_stage), str(stage))
    couple.current_stage = stage
    db.session.commit()
    return couple


def change_status(user: User, couple_id: int, status: str) -> Couple:
    """Pause, close or reactivate a couple. Raises DomainError(field="status")."""
    couple = get_couple(user, couple_id)
    if status not in CoupleStatus._value2member_map_:
        raise DomainError(_("Choose active, paused or closed."), field="status")
    if status == couple.status:
        raise DomainError(
            _("The couple is already %(status)s.", status=STATUS_WORDS[status]), field="status"
        )
    _change(user, couple, ChangeKind.STATUS, couple.status, status)
    couple.status = status
    db.session.commit()
    return couple


def stage_history(couple: Couple) -> list[CoupleChange]:
    """Stage entries oldest first (creation counts as entering the first stage)."""
    return sorted(
        (c for c in couple.changes if c.kind in (ChangeKind.CREATED, ChangeKind.STAGE)),
        key=lambda c: c.changed_at,
    )
