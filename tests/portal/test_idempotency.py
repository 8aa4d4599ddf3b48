"""A portal post's idempotency key: one partner's alone, and honest about a retry with new text."""

import html
import re

import pytest
import sqlalchemy as sa

from clinic.extensions import db
from clinic.records.models import ExceptionEntry, ScalePlacement


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def entry(context: str, key: str = "same-key-123") -> dict:
    return {"a-date": "2026-11-20", "a-context": context, "sharing": "private", "idempotency_key": key}


def contexts() -> list[str]:
    db.session.expire_all()
    return db.session.scalars(sa.select(ExceptionEntry.context).order_by(ExceptionEntry.id)).all()


@pytest.fixture
def partners(make_practice, make_user, make_couple):
    clinician = make_user(make_practice())
    first, second = make_couple(clinician), make_couple(clinician, a="Zhao Lei", b="Zhou Ting")
    return first.partners[0], first.partners[1], second.partners[0]


def test_two_partners_may_send_the_same_key(partners, portal_client):
    a, b, other = partners

    answers = [portal_client(p).post("/portal/add/exception", data=entry(f"Written by {p.name}"))
               for p in (a, b, other)]

    assert [r.status_code for r in answers] == [302, 302, 302]
    assert contexts() == ["Written by Chen Jing", "Written by Wang Hao", "Written by Zhao Lei"]


def test_a_retry_with_the_same_text_is_stored_once(partners, portal_client):
    browser = portal_client(partners[0])

    first = browser.post("/portal/add/exception", data=entry("We cooked together"))
    again = browser.post("/portal/add/exception", data=entry("We cooked together"))

    assert (first.status_code, again.status_code) == (302, 302)
    assert contexts() == ["We cooked together"]


def test_a_retry_with_edited_text_says_so_and_can_be_saved_as_new(app, partners, portal_client):
    browser = portal_client(partners[0])
    browser.post("/portal/add/exception", data=entry("We cooked together"))

    edited = browser.post(
        "/portal/add/exception", data=entry("We cooked and then walked by the river"),
        headers={"Origin": "http://localhost"},
    )

    assert edited.status_code == 409
    assert "This entry was already saved" in page(edited)
    assert "We cooked and then walked by the river" in page(edited)
    assert contexts() == ["We cooked together"]
    # "Send again" posts what was typed with a fresh key: a second entry.
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page(edited)))
    assert fields["idempotency_key"] != "same-key-123"
    resent = browser.post("/portal/add/exception", data=fields)
    assert resent.status_code == 302
    assert contexts() == ["We cooked together", "We cooked and then walked by the river"]


def test_a_scale_retry_with_another_value_is_not_silently_dropped(partners, portal_client):
    browser = portal_client(partners[0])
    form = {"a-date": "2026-11-20", "a-value": "4", "sharing": "private", "idempotency_key": "k-1"}
    browser.post("/portal/add/scale", data=form)

    changed = browser.post("/portal/add/scale", data={**form, "a-value": "7"})

    assert changed.status_code == 409
    db.session.expire_all()
    assert db.session.scalars(sa.select(ScalePlacement.value)).all() == [4]
