"""The inbox page, its buttons and the badge, as a clinician sees them."""

import html
import re
from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.extensions import db


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def badge(body: str) -> str | None:
    found = re.search(r'<span class="count">(\d+)<span class="visually-hidden"> new</span>', body)
    return found.group(1) if found else None


@pytest.fixture
def w(make_practice, make_user, make_couple):
    practice = make_practice()
    clinician = make_user(practice)
    couple = make_couple(clinician, label="The Riverside couple")
    return SimpleNamespace(clinician=clinician, couple=couple, a=couple.partners[0],
                           b=couple.partners[1], colleague=make_user(practice))


def test_the_inbox_lists_each_kind_with_a_link_and_the_badge_counts_new_items(
    w, assign, place, log_exception, signed_in
):
    from clinic.exercises.services import save_answers

    hope = assign(w.clinician, w.couple, "hope-question", target="A")[0]
    sent = save_answers(w.a, hope.id, {"a_little_better": "SECRET-HOPE", "first_noticed": ""},
                        submit=True, shared=False)
    entry = log_exception(w.b, date(2026, 11, 2), "SECRET-MOMENT")
    place(w.a, date(2026, 11, 3), 6)
    browser = signed_in(w.clinician)

    body = page(browser.get("/inbox/"))

    assert f'href="/exercises/submissions/{sent.id}"' in body
    assert f'href="/records/couples/{w.couple.id}/exceptions#entry-{entry.id}"' in body
    assert "Scale placement" in body and "Exception-log entry" in body
    assert body.count("<strong>New</strong>") == 3 and badge(body) == "3"
    assert "Mark all read" in body
    # A list of what came in, not what was written.
    assert "SECRET-HOPE" not in body and "SECRET-MOMENT" not in body
    assert db.session.scalar(
        sa.select(sa.func.count()).where(AuditEvent.action == "inbox.view")
    ) == 1
    assert badge(page(browser.get("/couples/"))) == "3"


def test_mark_read_one_then_all(w, place, signed_in):
    first = place(w.a, date(2026, 11, 1), 5)
    place(w.b, date(2026, 11, 2), 6)
    browser = signed_in(w.clinician)

    response = browser.post(f"/inbox/scale/{first.id}/read")
    assert response.status_code == 302 and response.location == "/inbox/"
    body = page(browser.get("/inbox/"))
    assert body.count("<strong>New</strong>") == 1 and badge(body) == "1"

    response = browser.post("/inbox/read-all", follow_redirects=True)
    body = page(response)
    assert "1 item marked read." in body
    assert "<strong>New</strong>" not in body and badge(body) is None
    assert "Mark all" not in body


def test_marking_anothers_item_read_answers_404_and_changes_nothing(w, place, signed_in):
    placement = place(w.a, date(2026, 11, 1), 5)

    assert signed_in(w.colleague).post(f"/inbox/scale/{placement.id}/read").status_code == 404
    assert signed_in(w.clinician).post("/inbox/note/1/read").status_code == 404
    assert badge(page(signed_in(w.clinician).get("/inbox/"))) == "1"


def test_an_empty_inbox_says_so(w, signed_in):
    body = page(signed_in(w.clinician).get("/inbox/"))

    assert "Nothing has come in yet." in body and badge(body) is None
