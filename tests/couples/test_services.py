"""Couple use cases without HTTP: creation, stage and status moves, the caseload, tenancy."""

import re

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from clinic.audit.models import AuditEvent
from clinic.couples import services
from clinic.couples.models import Couple, CoupleChange
from clinic.couples.services import CaseloadFilter, CoupleInput, PartnerInput
from clinic.errors import DomainError
from clinic.extensions import db


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def _input(label: str = "Chen & Wang", **extra) -> CoupleInput:
    return CoupleInput(
        case_label=label,
        partner_a=PartnerInput(" Chen Jing ", " Jing ", "she/her", " Jing@Example.org "),
        partner_b=PartnerInput("Wang Hao", "", None, ""),
        **extra,
    )


@pytest.fixture
def practice_world(make_practice, make_user):
    """A practice with an owner, two clinicians and a supervisor; another practice's clinician."""
    practice = make_practice("Harbour Lane")
    return {
        "owner": make_user(practice, role="owner"),
        "c1": make_user(practice),
        "c2": make_user(practice),
        "supervisor": make_user(practice, role="supervisor"),
        "outsider": make_user(make_practice("Elsewhere"), role="owner"),
    }


# --- Creating a couple -------------------------------------------------------------------------


def test_create_couple_with_both_partners(make_user):
    clinician = make_user()

    couple = services.create_couple(clinician, _input(" Chen & Wang ", current_stage=2))

    assert couple.case_label == "Chen & Wang"
    assert (couple.practice_id, couple.primary_clinician_id) == (
        clinician.practice_id, clinician.id,
    )
    assert (couple.status, couple.current_stage) == ("active", 2)
    a, b = couple.partners
    assert (a.position, a.name, a.preferred_name, a.pronouns, a.email) == (
        "A", "Chen Jing", "Jing", "she/her", "jing@example.org",
    )
    assert (b.position, b.name, b.preferred_name, b.pronouns, b.email) == (
        "B", "Wang Hao", None, None, None,
    )
    assert b.display_name == "Wang Hao" and a.display_name == "Jing"
    assert re.fullmatch(r"C-[A-HJ-NP-Z2-9]{6}", couple.pseudonym)
    [created] = couple.changes
    assert (created.kind, created.to_value, created.changed_by_id) == ("created", "2", clinician.id)
    [event] = _events("couple.create")
    assert (event.actor_user_id, event.couple_id) == (clinician.id, couple.id)


def test_create_couple_refuses_a_stage_outside_1_to_6(make_user):
    clinician = make_user()

    for stage in (0, 7):
        with pytest.raises(DomainError) as refused:
            services.create_couple(clinician, _input(current_stage=stage))
        assert refused.value.field == "current_stage"
    assert db.session.scalar(sa.select(sa.func.count(Couple.id))) == 0


def test_a_clinician_cannot_create_a_couple_for_someone_else(practice_world):
    c1, c2 = practice_world["c1"], practice_world["c2"]

    couple = services.create_couple(c1, _input(primary_clinician_id=c2.id))

    assert couple.primary_clinician_id == c1.id


def test_an_owner_assigns_a_clinician_of_the_practice_only(practice_world):
    owner, c2, outsider = practice_world["owner"], practice_world["c2"], practice_world["outsider"]

    couple = services.create_couple(owner, _input(primary_clinician_id=c2.id))
    assert couple.primary_clinician_id == c2.id

    for wrong in (outsider.id, practice_world["supervisor"].id):
        with pytest.raises(DomainError) as refused:
            services.create_couple(owner, _input(primary_clinician_id=wrong))
        assert refused.value.field == "primary_clinician_id"


def test_a_supervisor_cannot_create_a_couple(practice_world):
    with pytest.raises(NotFound):
        services.create_couple(practice_world["supervisor"], _input())


def test_pseudonyms_differ_within_a_practice(make_user, make_couple):
    clinician = make_user()

    pseudonyms = {make_couple(clinician).pseudonym for _ in range(20)}

    assert len(pseudonyms) == 20


# --- Moving stages and changing status ---------------------------------------------------------


def test_move_stage_records_who_and_when_and_allows_going_back(practice_world, make_couple):
    c1, owner = practice_world["c1"], practice_world["owner"]
    couple = make_couple(c1, stage=1)
    before = couple.last_activity_at

    services.move_stage(c1, couple.id, 4)
    services.move_stage(owner, couple.id, 2)  # the stages are a cycle: going back is fine

    couple = db.session.get(Couple, couple.id)
    assert couple.current_stage == 2
    assert couple.last_activity_at > before
    history = [(c.kind, c.from_value, c.to_value, c.changed_by_id)
               for c in services.stage_history(couple)]
    assert history == [
        ("created", None, "1", c1.id), ("stage", "1", "4", c1.id), ("stage", "4", "2", owner.id),
    ]
    assert all(c.changed_at is not None for c in couple.changes)
    assert [e.detail for e in _events("couple.stage")] == [
        {"from": "1", "to": "4"}, {"from": "4", "to": "2"},
    ]


@pytest.mark.parametrize(("stage", "message"), [
    (3, "already in this stage"), (0, "from 1 to 6"), (7, "from 1 to 6"),
])
def test_move_stage_refusals(make_user, make_couple, stage, message):
    clinician = make_user()
    couple = make_couple(clinician, stage=3)

    with pytest.raises(DomainError) as refused:
        services.move_stage(clinician, couple.id, stage)

    assert refused.value.field == "stage"
    assert message in refused.value.message
    assert db.session.get(Couple, couple.id).current_stage == 3
    assert _events("couple.stage") == []


def test_change_status_records_the_change(make_user, make_couple):
    clinician = make_user()
    couple = make_couple(clinician)

    services.change_status(clinician, couple.id, "paused")
    services.change_status(clinician, couple.id, "active")

    changes = db.session.scalars(
        sa.select(CoupleChange).where(CoupleChange.kind == "status").order_by(CoupleChange.id)
    ).all()
    assert [(c.from_value, c.to_value, c.changed_by_id) for c in changes] == [
        ("active", "paused", clinician.id), ("paused", "active", clinician.id),
    ]
    assert len(_events("couple.status")) == 2


@pytest.mark.parametrize(("status", "message"), [
    ("active", "already active"), ("archived", "Choose active, paused or closed."),
])
def test_change_status_refusals(make_user, make_couple, status, message):
    clinician = make_user()
    couple = make_couple(clinician)

    with pytest.raises(DomainError) as refused:
        services.change_status(clinician, couple.id, status)

    assert refused.value.field == "status"
    assert message in refused.value.message


def test_update_couple_changes_label_and_partners(make_user, make_couple):
    clinician = make_user()
    couple = make_couple(clinician, label="Old label")

    services.update_couple(clinician, couple.id, _input("New label"))

    couple = db.session.get(Couple, couple.id)
    assert couple.case_label == "New label"
    assert couple.partners[0].email == "jing@example.org"
    assert len(_events("couple.update")) == 1


# --- Tenancy: one scoped getter decides --------------------------------------------------------


@pytest.mark.parametrize("who", ["c2", "supervisor", "outsider"])
def test_outsiders_get_not_found_for_every_use_case(practice_world, make_couple, who):
    couple = make_couple(practice_world["c1"], stage=1)
    user = practice_world[who]

    use_cases = [
        lambda: services.get_couple(user, couple.id),
        lambda: services.view_couple(user, couple.id),
        lambda: services.move_stage(user, couple.id, 2),
        lambda: services.change_status(user, couple.id, "closed"),
        lambda: services.update_couple(user, couple.id, _input("Taken over")),
    ]
    for use_case in use_cases:
        with pytest.raises(NotFound):
            use_case()

    couple = db.session.get(Couple, couple.id)
    assert (couple.case_label, couple.current_stage, couple.status) != ("Taken over", 2, "closed")
    assert couple.current_stage == 1 and couple.status == "active"
    assert _events("couple.view") == []


def test_the_owner_and_the_primary_clinician_reach_the_couple(practice_world, make_couple):
    couple = make_couple(practice_world["c1"])

    for who in ("owner", "c1"):
        assert services.get_couple(practice_world[who], couple.id).id == couple.id


def test_an_unknown_couple_is_not_found(make_user):
    with pytest.raises(NotFound):
        services.get_couple(make_user(role="owner"), 999_999)


def test_view_couple_is_audited(make_user, make_couple):
    clinician = make_user()
    couple = make_couple(clinician)

    services.view_couple(clinician, couple.id)

    [event] = _events("couple.view")
    assert (event.actor_user_id, event.couple_id, event.object_id) == (
        clinician.id, couple.id, couple.id,
    )


# --- The caseload -------------------------------------------------------------------------------


def _labels(page) -> list[str]:
    return [c.case_label for c in page.items]


def test_caseload_is_scoped_by_role(practice_world, make_couple):
    c1, c2, owner = practice_world["c1"], practice_world["c2"], practice_world["owner"]
    make_couple(c1, label="Mine")
    make_couple(c2, label="Theirs")
    make_couple(practice_world["outsider"], label="Other practice")

    def labels(user):
        return sorted(_labels(services.list_caseload(user, CaseloadFilter(), page=1, per_page=20)))

    assert labels(c1) == ["Mine"]
    assert labels(c2) == ["Theirs"]
    assert labels(owner) == ["Mine", "Theirs"]
    with pytest.raises(NotFound):
        services.list_caseload(practice_world["supervisor"], CaseloadFilter(), page=1, per_page=20)


def test_caseload_search_filter_sort_and_pages(make_user, make_couple):
    clinician = make_user()
    chen = make_couple(clinician, label="Chen & Wang", a="Chen Jing", b="Wang Hao")
    zhao = make_couple(clinician, label="Zhao & Zhou", a="Zhao Lei", b="Zhou Ting", stage=4)
    liu = make_couple(clinician, label="Liu & Sun", a="Liu Jia", b="Sun Wei", stage=5)
    services.change_status(clinician, zhao.id, "paused")
    services.move_stage(clinician, chen.id, 2)  # most recent activity now

    def search(**filters):
        return _labels(services.list_caseload(
            clinician, CaseloadFilter(**filters), page=1, per_page=20,
        ))

    assert search() == ["Chen & Wang", "Zhao & Zhou", "Liu & Sun"]
    assert search(q="zhou") == ["Zhao & Zhou"]  # label, case-insensitive
    assert search(q="Sun Wei") == ["Liu & Sun"]  # partner name
    assert search(q="jing") == ["Chen & Wang"]  # "Chen Jing", not in any label
    assert search(q="%") == [] and search(q="_") == []  # wildcards are literal
    assert search(stage=5) == ["Liu & Sun"]
    assert search(status="paused") == ["Zhao & Zhou"]
    assert search(status="active", q="u") == ["Liu & Sun"]

    first = services.list_caseload(clinician, CaseloadFilter(), page=1, per_page=2)
    second = services.list_caseload(clinician, CaseloadFilter(), page=2, per_page=2)
    assert (first.total, first.pages) == (3, 2)
    assert _labels(first) + _labels(second) == ["Chen & Wang", "Zhao & Zhou", "Liu & Sun"]
    assert liu.id in {c.id for c in second.items}
    assert [e.detail for e in _events("caseload.view")][-1] == {"page": 2}
