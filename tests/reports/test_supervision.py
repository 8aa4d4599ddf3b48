"""The supervision pairs the owner keeps, which decide who may read whose reports."""

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from clinic.audit.models import AuditEvent
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.reports import supervision
from clinic.reports.models import Supervision


def test_the_owner_pairs_a_supervisor_with_a_clinician_and_unpairs_them(world):
    pair = supervision.add_supervision(world.owner, world.nina.id, world.colin.id)

    assert [u.name for u in supervision.reportable_clinicians(world.nina)] == ["Colin Colleague"]
    supervision.remove_supervision(world.owner, pair.id)
    assert supervision.reportable_clinicians(world.nina) == []
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action.like("supervision.%"), AuditEvent.object_id == world.nina.id)
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.detail) for e in events] == [
        ("supervision.add", {"clinician": world.colin.id}),
        ("supervision.remove", {"clinician": world.colin.id}),
    ]


def test_an_owner_may_be_supervised_too(world):
    supervision.add_supervision(world.owner, world.nina.id, world.owner.id)

    assert [u.name for u in supervision.reportable_clinicians(world.nina)] == ["Olive Owner"]


@pytest.mark.parametrize(
    ("supervisor", "clinician", "field"),
    [
        ("ruth", "colin", "supervisor_id"),  # not a supervisor
        ("sam", "sue", "clinician_id"),  # a supervisor holds no caseload
        ("sam", "elsewhere_clinician", "clinician_id"),
        ("elsewhere_owner", "ruth", "supervisor_id"),
        ("sam", "ruth", "clinician_id"),  # already paired
    ],
)
def test_pairs_the_owner_cannot_make(world, supervisor, clinician, field):
    before = db.session.scalar(sa.select(sa.func.count(Supervision.id)))

    with pytest.raises(DomainError) as raised:
        supervision.add_supervision(world.owner, getattr(world, supervisor).id, getattr(world, clinician).id)

    assert raised.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(Supervision.id))) == before


def test_only_the_owner_manages_pairs(world):
    pair = db.session.scalars(sa.select(Supervision).order_by(Supervision.id)).first()
    for user in (world.ruth, world.sam):
        with pytest.raises(NotFound):
            supervision.supervisions(user)
        with pytest.raises(NotFound):
            supervision.add_supervision(user, world.nina.id, world.ruth.id)
        with pytest.raises(NotFound):
            supervision.remove_supervision(user, pair.id)
    with pytest.raises(NotFound):  # another practice's owner
        supervision.remove_supervision(world.elsewhere_owner, pair.id)

    assert [p.clinician_id for p in supervision.supervisions(world.owner)] == [world.ruth.id, world.colin.id]
    assert supervision.supervisions(world.elsewhere_owner) == []
