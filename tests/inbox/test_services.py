"""The inbox: every portal item in the caseload, new first, read state per clinician, scoping."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from werkzeug.exceptions import NotFound

from clinic.exercises.services import mark_reviewed, save_answers
from clinic.inbox import services as inbox
from clinic.records.services import add_in_session
from clinic.timeutil import utcnow

NARRATIVE = {"matters": "SECRET-MATTERS", "struggles": "s", "longings": "l", "anything_else": ""}


@pytest.fixture
def w(make_practice, make_user, make_couple):
    practice = make_practice()
    clinician = make_user(practice)
    couple = make_couple(clinician, label="The Riverside couple")
    a, b = couple.partners
    colleague = make_user(practice)
    return SimpleNamespace(
        practice=practice, clinician=clinician, couple=couple, a=a, b=b,
        owner=make_user(practice, role="owner"),
        colleague=colleague,
        colleagues_couple=make_couple(colleague, label="The Hillside couple"),
        outsider=make_user(make_practice()),
    )


def submit(partner, assignment, answers=None):
    return save_answers(partner, assignment.id, answers or NARRATIVE, submit=True, shared=False)


def listed(user, per_page: int = 20, page: int = 1) -> list[tuple[str, int, bool]]:
    return [(i.kind, i.id, i.unread) for i in inbox.inbox(user, page=page, per_page=per_page).items]


def test_every_portal_item_is_listed_new_first_then_newest_first(
    w, assign, place, log_exception
):
    first, second = (
        assign(w.clinician, w.couple, key, target="A")[0]
        for key in ("relationship-narrative", "hope-question")
    )
    s1 = submit(w.a, first)
    entry = log_exception(w.b, date(2026, 11, 2))
    s2 = submit(w.a, second, {"a_little_better": "Breakfast", "first_noticed": ""})
    placement = place(w.a, date(2026, 11, 3), 6)
    inbox.mark_read(w.clinician, "submission", s2.id)

    assert listed(w.clinician) == [
        ("scale", placement.id, True),
        ("exception", entry.id, True),
        ("submission", s1.id, True),
        ("submission", s2.id, False),
    ]
    page = inbox.inbox(w.clinician, page=1, per_page=20)
    assert (page.total, page.unread) == (4, 3)
    assert inbox.unread_count(w.clinician) == 3
    narrative = next(i for i in page.items if i.id == s1.id and i.kind == "submission")
    assert (narrative.title, narrative.case_label, narrative.partner_name) == (
        "Your relationship story", "The Riverside couple", "Chen Jing"
    )


def test_drafts_and_records_made_in_session_are_not_new_portal_items(w, assign, place):
    draft = assign(w.clinician, w.couple, "coping-list", target="B")[0]
    save_answers(w.b, draft.id, {"ways": ["Running"]}, submit=False, shared=False)
    place(w.a, date(2026, 11, 3), 4, by=w.clinician)
    add_in_session(w.clinician, w.couple.id, w.a.id, "exception",
                   {"date": "2026-11-03", "context": "In session"}, shared=False)

    assert listed(w.clinician) == []
    assert inbox.unread_count(w.clinician) == 0


def test_an_exception_log_assignment_is_listed_as_its_entries_not_twice(w, assign, log_exception):
    from clinic.records.services import add_from_portal

    log_a = assign(w.clinician, w.couple, "exception-log", target="A")[0]
    entry = add_from_portal(w.a, "exception", {"date": "2026-11-02", "context": "We walked"},
                            shared=False, assignment_id=log_a.id)

    assert listed(w.clinician) == [("exception", entry.id, True)]


def test_read_state_is_per_clinician(w, assign):
    s = submit(w.a, assign(w.clinician, w.couple, "relationship-narrative", target="A")[0])

    inbox.mark_read(w.owner, "submission", s.id)

    assert listed(w.owner) == [("submission", s.id, False)]
    assert listed(w.clinician) == [("submission", s.id, True)]
    # Reviewing is the clinical state the partner sees; it does not read anybody's inbox.
    mark_reviewed(w.owner, s.id)
    assert inbox.unread_count(w.clinician) == 1


def test_mark_all_read_and_only_what_came_later_is_new_again(w, assign, place):
    for day in range(1, 4):
        place(w.a, date(2026, 11, day), day + 3)
    assert inbox.mark_all_read(w.clinician) == 3
    assert inbox.unread_count(w.clinician) == 0
    assert inbox.mark_all_read(w.clinician) == 0

    later = place(w.b, date(2026, 11, 5), 7)

    assert [i for i in listed(w.clinician) if i[2]] == [("scale", later.id, True)]
    assert inbox.unread_count(w.clinician) == 1


def test_an_item_read_before_it_changed_is_new_again(w, assign, place):
    placement = place(w.a, date(2026, 11, 1), 5)
    inbox.mark_read(w.clinician, "scale", placement.id, now=utcnow() - timedelta(hours=1))

    assert listed(w.clinician) == [("scale", placement.id, True)]
    inbox.mark_read(w.clinician, "scale", placement.id)
    assert listed(w.clinician) == [("scale", placement.id, False)]


def test_another_clinicians_items_are_never_listed_nor_markable(w, assign, place, log_exception):
    mine = place(w.a, date(2026, 11, 1), 5)
    theirs = log_exception(w.colleagues_couple.partners[0], date(2026, 11, 1), "SECRET-HILLSIDE")

    assert listed(w.clinician) == [("scale", mine.id, True)]
    assert listed(w.colleague) == [("exception", theirs.id, True)]
    # The owner sees the whole practice, as on the caseload; another practice sees nothing.
    assert {(k, i) for k, i, _ in listed(w.owner)} == {("scale", mine.id), ("exception", theirs.id)}
    assert listed(w.outsider) == []
    for user, kind, item in ((w.clinician, "exception", theirs.id), (w.outsider, "scale", mine.id),
                             (w.clinician, "note", mine.id), (w.clinician, "scale", 10_000)):
        with pytest.raises(NotFound):
            inbox.mark_read(user, kind, item)
    assert inbox.unread_count(w.outsider) == 0
    assert inbox.mark_all_read(w.outsider) == 0
    assert inbox.unread_count(w.clinician) == 1


def test_the_inbox_pages(w, place):
    rows = [place(w.a, date(2026, 11, day), 5) for day in range(1, 6)]

    first = inbox.inbox(w.clinician, page=1, per_page=2)
    third = inbox.inbox(w.clinician, page=3, per_page=2)

    assert [i.id for i in first.items] == [rows[4].id, rows[3].id]
    assert [i.id for i in third.items] == [rows[0].id]
    assert (first.pages, first.has_next, first.has_prev, third.has_next) == (3, True, False, False)


def test_new_counts_by_couple_name_counts_and_labels_only(w, assign, place, log_exception):
    submit(w.a, assign(w.clinician, w.couple, "relationship-narrative", target="A")[0])
    log_exception(w.a, date(2026, 11, 1))
    log_exception(w.b, date(2026, 11, 2))
    read = place(w.a, date(2026, 11, 2), 6)
    inbox.mark_read(w.clinician, "scale", read.id)
    log_exception(w.colleagues_couple.partners[0], date(2026, 11, 1))

    assert inbox.new_counts_by_couple(w.clinician) == [
        ("The Riverside couple", {"submission": 1, "exception": 2}),
    ]
    assert [label for label, _ in inbox.new_counts_by_couple(w.owner)] == [
        "The Hillside couple", "The Riverside couple",
    ]


def test_mark_all_read_moves_one_cursor_instead_of_marking_each_item(w, place):
    import sqlalchemy as sa

    from clinic.extensions import db
    from clinic.inbox.models import InboxCursor, InboxRead

    first = place(w.a, date(2026, 11, 1), 5)
    inbox.mark_read(w.clinician, "scale", first.id)
    for day in range(2, 6):
        place(w.a, date(2026, 11, day), 5)

    assert inbox.mark_all_read(w.clinician) == 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboxRead)) == 0
    assert db.session.get(InboxCursor, w.clinician.id) is not None
    assert inbox.unread_count(w.clinician) == 0 and inbox.unread_count(w.owner) == 5
    later = place(w.b, date(2026, 11, 6), 6)
    inbox.mark_read(w.clinician, "scale", later.id)
    assert inbox.unread_count(w.clinician) == 0
    assert all(not unread for _kind, _id, unread in listed(w.clinician))


def test_the_badge_counts_to_its_cap_and_mark_all_read_counts_everything(
    w, log_exception, monkeypatch, client, login
):
    """An owner's badge looks at a whole practice: it stops counting past the cap ("2+" here),
    while "Mark all read" still says how many it marked."""
    monkeypatch.setattr(inbox, "BADGE_CAP", 2)
    for n in range(4):
        log_exception(w.a, date(2026, 11, 1) + timedelta(days=n))

    assert inbox.unread_count(w.clinician) == 3
    login(w.clinician)
    assert '<span class="count">2+<span' in client.get("/couples/").get_data(as_text=True)
    assert inbox.mark_all_read(w.clinician) == 4
