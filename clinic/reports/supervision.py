"""Who supervises whom, and whose reports each user may read."""

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from ..audit.services import record
from ..auth.models import User
from ..domain import CASELOAD_ROLES, Role
from ..errors import DomainError
from ..extensions import db
from .models import Supervision


def _owner(user: User) -> None:
    if not user.is_owner:
        raise NotFound()


def supervisions(owner: User) -> list[Supervision]:
    _owner(owner)
    return list(
        db.session.scalars(
            sa.select(Supervision)
            .where(Supervision.practice_id == owner.practice_id)
            .order_by(Supervision.supervisor_id, Supervision.clinician_id)
        )
    )


def _member(owner: User, user_id: int, roles: tuple[Role, ...], field_name: str) -> User:
    member = db.session.scalar(
        sa.select(User).where(
            User.id == user_id, User.practice_id == owner.practice_id, User.role.in_(roles)
        )
    )
    if member is None:
        raise DomainError(_("Choose someone from this practice."), field=field_name)
    return member


def add_supervision(owner: User, supervisor_id: int, clinician_id: int) -> Supervision:
    """The owner lets a supervisor read one clinician's reports. Raises DomainError on a field."""
    _owner(owner)
    supervisor = _member(owner, supervisor_id, (Role.SUPERVISOR,), "supervisor_id")
    clinician = _member(owner, clinician_id, CASELOAD_ROLES, "clinician_id")
    exists = db.session.scalar(
        sa.select(Supervision.id).where(
            Supervision.supervisor_id == supervisor.id, Supervision.clinician_id == clinician.id
        )
    )
    if exists:
        raise DomainError(_("This supervisor already reads this clinician's reports."), field="clinician_id")
    pair = Supervision(
        practice_id=owner.practice_id, supervisor_id=supervisor.id, clinician_id=clinician.id,
        created_by_id=owner.id,
    )
    db.session.add(pair)
    db.session.flush()
    record(
        "supervision.add", user=owner, object_type="user", object_id=supervisor.id,
        detail={"clinician": clinician.id},
    )
    db.session.commit()
    return pair


def remove_supervision(owner: User, supervision_id: int) -> None:
    _owner(owner)
    pair = db.session.scalar(
        sa.select(Supervision).where(
            Supervision.id == supervision_id, Supervision.practice_id == owner.practice_id
        )
    )
    if pair is None:
        raise NotFound()
    record(
        "supervision.remove", user=owner, object_type="user", object_id=pair.supervisor_id,
        detail={"clinician": pair.clinician_id},
    )
    db.session.delete(pair)
    db.session.commit()


def reportable_clinicians(user: User) -> list[User]:
    """Whose reports this user may read: the owner every caseload holder, a supervisor their
    supervisees, nobody else (NotFound)."""
    query = sa.select(User).where(
        User.practice_id == user.practice_id, User.role.in_(CASELOAD_ROLES)
    )
    if user.is_supervisor:
        query = query.where(
            User.id.in_(sa.select(Supervision.clinician_id).where(Supervision.supervisor_id == user.id))
        )
    elif not user.is_owner:
        raise NotFound()
    return list(db.session.scalars(query.order_by(User.name)))


def default_reader(practice_id: int | None) -> User | None:
    """Whom a report made outside the web is for when nobody is named: the first active owner of
    the practice (or of the only practice that has one); None when that is not one person."""
    query = sa.select(User).where(User.role == Role.OWNER, User.active.is_(True)).order_by(User.id)
    if practice_id:
        query = query.where(User.practice_id == practice_id)
    owners = list(db.session.scalars(query))
    if not owners or (practice_id is None and len({o.practice_id for o in owners}) > 1):
        return None
    return owners[0]
