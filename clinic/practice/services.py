"""Use cases for the practice: creating one, its team, and its overview."""

import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from ..audit.services import record
from ..auth.models import ROLES, User
from ..auth.services import NewUser, create_user
from ..couples.models import Couple
from ..errors import DomainError
from ..extensions import db
from .models import Practice


def create_practice(name: str) -> Practice:
    """A new, empty practice (the CLI's first step on a new installation)."""
    practice = Practice(name=name.strip())
    db.session.add(practice)
    db.session.flush()
    record("practice.create", practice_id=practice.id, object_type="practice", object_id=practice.id)
    db.session.commit()
    return practice


def get_practice(practice_id: int) -> Practice:
    practice = db.session.get(Practice, practice_id)
    if practice is None:
        raise NotFound()
    return practice


def _require_owner(user: User) -> None:
    if user.role != "owner":
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


def add_member(owner: User, data: NewUser) -> User:
    """An owner adds a clinician, supervisor or owner. Raises DomainError on a field."""
    _require_owner(owner)
    return create_user(owner.practice_id, data, actor=owner)


def _active_owners(practice_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.practice_id == practice_id, User.role == "owner", User.active.is_(True)
        )
    )


def update_member(owner: User, user_id: int, *, role: str, active: bool) -> User:
    """Change a member's role or disable them; disabling ends their sessions at once.

    Raises DomainError(field="role"/"active") when the practice would be left without an owner.
    """
    member = get_member(owner, user_id)
    if role not in ROLES:
        raise DomainError("Choose owner, clinician or supervisor.", field="role")
    losing_owner = member.role == "owner" and member.active and (role != "owner" or not active)
    if losing_owner and _active_owners(owner.practice_id) <= 1:
        raise DomainError("The practice needs at least one active owner.", field="role")
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
