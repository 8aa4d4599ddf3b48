"""Use cases for the practice: creating one, its settings, its team, and its overview."""

from dataclasses import dataclass
from datetime import time

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from ..audit.services import record
from ..auth.models import User
from ..auth.twofactor import reset_two_factor
from ..couples.models import Couple
from ..database import remembered
from ..domain import Role
from ..errors import DomainError
from ..extensions import db
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES
from .hours import zone
from .models import Practice


def create_practice(name: str, *, require_two_factor: bool = False) -> Practice:
    """A new, empty practice (the CLI's first step on a new installation, which requires a
    second factor of every member)."""
    practice = Practice(name=name.strip(), require_two_factor=require_two_factor)
    db.session.add(practice)
    db.session.flush()
    record(
        "practice.create", practice_id=practice.id, object_type="practice", object_id=practice.id,
        detail={"require_two_factor": require_two_factor},
    )
    db.session.commit()
    return practice


def reset_member_two_factor(owner: User, user_id: int) -> User:
    """A member lost their phone: the owner removes their second factor (audited) and their
    sessions end. NotFound outside the owner's practice; DomainError if none is set up."""
    member = get_member(owner, user_id)
    if not member.has_two_factor:
        raise DomainError(_("%(name)s has no second factor to reset.", name=member.name))
    reset_two_factor(member, actor=owner)
    return member


def get_practice(practice_id: int) -> Practice:
    practice = db.session.get(Practice, practice_id)
    if practice is None:
        raise NotFound()
    return practice


def timezone_name(*, practice_id: int | None = None, couple_id: int | None = None) -> str:
    """The IANA time zone dates are shown in: a practice's, or that of a couple's practice.

    Looked up once per transaction, and not at all when the practice is already loaded (the
    signed-in user's comes with them)."""
    return remembered(db.session, ("timezone", practice_id, couple_id),
                      lambda: _timezone_name(practice_id, couple_id))


def _timezone_name(practice_id: int | None, couple_id: int | None) -> str:
    loaded = db.session.identity_map
    if couple_id is not None:
        couple = loaded.get(sa.orm.Session.identity_key(Couple, couple_id))
        practice_id = couple.practice_id if couple is not None and "practice_id" in couple.__dict__ else None
    if practice_id is not None:
        practice = loaded.get(sa.orm.Session.identity_key(Practice, practice_id))
        if practice is not None and "timezone" in practice.__dict__:
            return practice.timezone or "UTC"
    query = sa.select(Practice.timezone)
    if couple_id is not None:
        query = query.join(Couple, Couple.practice_id == Practice.id).where(Couple.id == couple_id)
    else:
        query = query.where(Practice.id == practice_id)
    return db.session.scalar(query) or "UTC"


ADDRESS_MAX = 300
CREDENTIALS_MAX = 120

@dataclass(frozen=True)
class PracticeSettings:
    """The settings an owner edits: zone, hours, and when partners are reminded."""

    timezone: str
    opens_at: time
    closes_at: time
    open_days: str  # ISO weekdays, e.g. "12345"
    remind_days_before: int | None  # None: no reminder before the due date
    remind_on_due_day: bool
    remind_overdue_days: int | None  # None: no reminder once overdue
    # Every member signs in with a second factor; those without one set it up at their next page.
    require_two_factor: bool = False
    locale: str = DEFAULT_LANGUAGE  # new partners and staff start in it
    address: str | None = None  # printed in the header of the note PDFs

    @classmethod
    def of(cls, practice: Practice) -> "PracticeSettings":
        return cls(**{name: getattr(practice, name) for name in cls.__dataclass_fields__})


def practice_settings(owner: User) -> PracticeSettings:
    _require_owner(owner)
    return PracticeSettings.of(get_practice(owner.practice_id))


def _check_settings(data: PracticeSettings) -> None:
    zone(data.timezone)
    if data.address is not None and len(data.address) > ADDRESS_MAX:
        raise DomainError(
            _("Keep the address to %(num)d characters or fewer.", num=ADDRESS_MAX), field="address"
        )
    if data.locale not in LANGUAGES:
        raise DomainError(_("Choose one of the languages offered."), field="locale")
    if data.opens_at >= data.closes_at:
        raise DomainError(_("Closing time must be after opening time."), field="closes_at")
    if not data.open_days or set(data.open_days) - set("1234567"):
        raise DomainError(_("Choose at least one day the practice is open."), field="open_days")
    for field in ("remind_days_before", "remind_overdue_days"):
        value = getattr(data, field)
        if value is not None and not 1 <= value <= 14:
            raise DomainError(_("Between 1 and 14 days, or leave it empty for none."), field=field)


def update_settings(owner: User, data: PracticeSettings) -> Practice:
    """An owner changes the practice's zone, hours or reminder defaults.

    Raises DomainError naming the field: an unknown zone, closing before opening, no open day,
    reminder days outside 1-14, a language the app does not speak.
    """
    _require_owner(owner)
    data = PracticeSettings(
        **{**data.__dict__, "timezone": data.timezone.strip(),
           "address": (data.address or "").replace("\r\n", "\n").strip() or None,
           "open_days": "".join(sorted(set(data.open_days)))}
    )
    _check_settings(data)
    practice = get_practice(owner.practice_id)
    before = PracticeSettings.of(practice)
    for name, value in data.__dict__.items():
        setattr(practice, name, value)
    changed = sorted(k for k, v in data.__dict__.items() if getattr(before, k) != v)
    record(
        "practice.settings", user=owner, object_type="practice", object_id=practice.id,
        detail={"changed": changed},
    )
    db.session.commit()
    return practice


def mail_settings(owner: User) -> Practice:
    """The owner's practice, for its mail settings; NotFound for anyone but an owner."""
    _require_owner(owner)
    return get_practice(owner.practice_id)


def set_reply_to(owner: User, address: str | None) -> Practice:
    """Where replies to the practice's mail go (None: no Reply-To header). Owners only."""
    practice = mail_settings(owner)
    practice.reply_to = (address or "").strip() or None
    record("practice.reply_to", user=owner, object_type="practice", object_id=practice.id,
           detail={"set": practice.reply_to is not None})
    db.session.commit()
    return practice


def _require_owner(user: User) -> None:
    if not user.is_owner:
        raise NotFound()


def team(owner: User) -> list[User]:
    """Everyone in the owner's practice, by name."""
    _require_owner(owner)
    return list(
        db.session.scalars(
            sa.select(User).where(User.practice_id == owner.practice_id).order_by(User.name)
        )
    )


def get_member(owner: User, user_id: int) -> User:
    """A member of the owner's practice; NotFound for anyone else."""
    _require_owner(owner)
    member = db.session.scalar(
        sa.select(User).where(User.id == user_id, User.practice_id == owner.practice_id)
    )
    if member is None:
        raise NotFound()
    return member


def _active_owners(practice_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.practice_id == practice_id, User.role == Role.OWNER, User.active.is_(True)
        )
    )


def update_member(
    owner: User, user_id: int, *, role: str, active: bool, credentials: str | None = None,
) -> User:
    """Change a member's role, credentials (printed on the notes they sign) or disable them;
    disabling ends their sessions at once.

    Raises DomainError(field="role"/"active") when the practice would be left without an owner,
    DomainError(field="credentials") for credentials over CREDENTIALS_MAX characters.
    """
    member = get_member(owner, user_id)
    if credentials is not None:
        credentials = " ".join(credentials.split()) or None
        if credentials is not None and len(credentials) > CREDENTIALS_MAX:
            raise DomainError(_("Keep the credentials to %(num)d characters or fewer.",
                                num=CREDENTIALS_MAX), field="credentials")
        if credentials != member.credentials:
            record("user.credentials", user=owner, object_type="user", object_id=member.id)
            member.credentials = credentials
    if role not in Role._value2member_map_:
        raise DomainError(_("Choose owner, clinician or supervisor."), field="role")
    losing_owner = member.is_owner and member.active and (role != Role.OWNER or not active)
    if losing_owner and _active_owners(owner.practice_id) <= 1:
        raise DomainError(_("The practice needs at least one active owner."), field="role")
    if role != member.role:
        record(
            "user.role", user=owner, object_type="user", object_id=member.id,
            detail={"from": member.role, "to": role},
        )
        member.role = role
    if active != member.active:
        record(
            "user.enable" if active else "user.disable", user=owner, object_type="user",
            object_id=member.id,
        )
        member.active = active
        if not active:
            member.session_version = User.session_version + 1
    db.session.commit()
    return member


def overview(user: User) -> dict:
    """Counts for the practice's front page; numbers only, no client names."""
    practice = get_practice(user.practice_id)
    rows = db.session.execute(
        sa.select(User.id, User.name, Couple.status, sa.func.count(Couple.id))
        .join(Couple, Couple.primary_clinician_id == User.id)
        .where(User.practice_id == user.practice_id)
        .group_by(User.id, User.name, Couple.status)
    ).all()
    per_clinician: dict[int, dict] = {}
    for uid, name, status, count in rows:
        entry = per_clinician.setdefault(
            uid, {"name": name, "active": 0, "paused": 0, "closed": 0}
        )
        entry[status] = count
    return {
        "practice_name": practice.name,
        "clinicians": sorted(per_clinician.values(), key=lambda e: e["name"]),
    }
