"""The daily digest switch on the account page."""

import html

import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.digest.services import subscribed
from clinic.extensions import db


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_clinician_turns_the_digest_on_and_off_from_the_account_page(make_user, signed_in):
    clinician = make_user()
    browser = signed_in(clinician)
    account = page(browser.get("/auth/password"))
    assert "Daily digest" in account and 'action="/digest/"' in account
    assert 'id="daily_digest" name="daily_digest" type="checkbox" value="y">' in account

    response = browser.post("/digest/", data={"daily_digest": "y"}, follow_redirects=True)

    assert "You will get a daily digest." in page(response)
    assert subscribed(clinician)
    assert 'checked id="daily_digest"' in page(response)

    response = browser.post("/digest/", data={}, follow_redirects=True)
    assert "No more daily digests." in page(response)
    assert not subscribed(clinician)
    assert list(db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("digest.%")).order_by(AuditEvent.id)
    )) == ["digest.subscribe", "digest.unsubscribe"]


def test_a_supervisor_has_no_digest(make_user, signed_in):
    supervisor = make_user(role="supervisor")
    browser = signed_in(supervisor)

    assert "Daily digest" not in page(browser.get("/auth/password"))
    assert browser.post("/digest/", data={"daily_digest": "y"}).status_code == 404
    assert not subscribed(supervisor)
