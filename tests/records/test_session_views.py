"""The clinician's record pages: recording in session, the exception timeline, tags."""

import html
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from clinic.extensions import db
from clinic.records import services
from clinic.records.models import ExceptionEntry, ExceptionTag, ScalePlacement


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def rows(model) -> list:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(model).order_by(model.id)))


@pytest.fixture
def w(make_practice, make_user, make_couple, signed_in):
    clinician = make_user(make_practice())
    couple = make_couple(clinician, a="Chen Jing", b="Wang Hao")
    other = make_couple(clinician, a="Ola Nordmann", b="Kari Nordmann")
    a, b = couple.partners
    return SimpleNamespace(clinician=clinician, couple=couple, a=a, b=b, other=other,
                           browser=signed_in(clinician))


def test_recording_in_session_stores_a_private_row_for_the_chosen_partner(w):
    url = f"/records/couples/{w.couple.id}/scale/new"
    form = page(w.browser.get(f"{url}?partner={w.b.id}"))
    assert f'<option selected value="{w.b.id}">' in form or f'value="{w.b.id}" selected' in form

    response = w.browser.post(url, data={"partner_id": str(w.b.id), "a-value": "4",
                                         "a-movement": "Up since the holiday"})

    assert response.status_code == 302
    assert response.location == f"/couples/{w.couple.id}#records"
    placement = rows(ScalePlacement)[0]
    assert (placement.partner_id, placement.value, placement.source) == (w.b.id, 4, "session")
    assert placement.recorded_by_id == w.clinician.id and not placement.shared_with_partner


def test_a_bad_record_returns_422_and_keeps_every_word(w):
    response = w.browser.post(f"/records/couples/{w.couple.id}/exception/new", data={
        "partner_id": str(w.a.id), "a-date": "yesterday", "a-context": "She brought me tea",
        "a-meaning": "We still care", "shared": "y",
    })

    assert response.status_code == 422
    body = page(response)
    assert "yesterday" in body and "She brought me tea" in body and "We still care" in body
    assert "Please enter a real date" in body
    assert rows(ExceptionEntry) == []


def test_a_partner_of_another_couple_cannot_be_chosen(w):
    response = w.browser.post(f"/records/couples/{w.couple.id}/exception/new", data={
        "partner_id": str(w.other.partners[0].id), "a-date": "2025-03-01", "a-context": "x",
    })

    assert response.status_code == 404
    assert rows(ExceptionEntry) == []


def test_the_timeline_shows_both_partners_entries_with_their_privacy_and_nothing_else(w):
    services.add_from_portal(w.a, "exception", {"date": "2025-03-01", "context": "A's private moment"},
                             shared=False)
    services.add_from_portal(w.b, "exception", {"date": "2025-03-02", "context": "B's shared moment"},
                             shared=True)
    services.add_from_portal(w.other.partners[0], "exception",
                             {"date": "2025-03-03", "context": "Another couple's moment"}, shared=True)

    body = page(w.browser.get(f"/records/couples/{w.couple.id}/exceptions"))
    assert "A's private moment" in body and "B's shared moment" in body
    assert "Another couple's moment" not in body
    assert body.index("B's shared moment") < body.index("A's private moment")  # newest first
    assert "· private" in body and "shared with their partner" in body

    only_a = page(w.browser.get(f"/records/couples/{w.couple.id}/exceptions?partner_id={w.a.id}"))
    assert "A's private moment" in only_a and "B's shared moment" not in only_a


def test_tags_are_added_and_removed_from_the_timeline(w):
    entry = services.add_from_portal(w.a, "exception", {"date": "2025-03-01", "context": "x"},
                                     shared=False)
    url = f"/records/couples/{w.couple.id}/exceptions/{entry.id}/tags"

    added = w.browser.post(url, data={"category": "activity", "value": "a walk"},
                           follow_redirects=True)
    refused = w.browser.post(url, data={"category": "activity", "value": "  "}, follow_redirects=True)

    assert "Tag added." in page(added) and "Shared activity: a walk" in page(added)
    assert "Write the condition in a few words." in page(refused) or "Choose a kind" in page(refused)
    tag = rows(ExceptionTag)[0]
    assert len(rows(ExceptionTag)) == 1
    assert w.browser.post(f"/records/couples/{w.other.id}/tags/{tag.id}/remove").status_code == 404
    removed = w.browser.post(f"/records/couples/{w.couple.id}/tags/{tag.id}/remove",
                             follow_redirects=True)
    assert "Tag removed." in page(removed) and rows(ExceptionTag) == []
