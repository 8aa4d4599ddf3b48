"""Emailing a partner's personal link: what the message says, what is stored, what the pages show."""

import re

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.domain import MessageStatus
from clinic.exercises import catalogue
from clinic.extensions import db
from clinic.mail.delivery import deliver_due
from clinic.mail.models import OutboundMessage

LINK = re.compile(r"http://[^\s]+/portal/l/[A-Za-z0-9_-]+")


@pytest.fixture
def mailing(app, smtp_server):
    app.config.update(MAIL_URL=smtp_server.url, MAIL_FROM="clinic@harbour.example",
                      BASE_URL="http://clinic.test")
    return smtp_server.mailbox


@pytest.fixture
def world(make_user, make_couple, assign):
    clinician = make_user(name="Dr Mei Lin")
    couple = make_couple(clinician, label="Chen-Wang case", stage=3)
    assign(clinician, couple, "miracle-question")
    jing, hao = couple.partners
    return clinician, couple, jing, hao


def _issue(client, couple, partner, *, email: bool):
    data = {"valid_days": "30"}
    if email:
        data["send_email"] = "y"
    return client.post(f"/couples/{couple.id}/partners/{partner.id}/link", data=data)


def test_the_link_mail_names_practice_and_therapist_and_nothing_clinical(
    app, client, login, world, mailing
):
    clinician, couple, jing, _hao = world
    login(clinician)

    page = _issue(client, couple, jing, email=True)
    assert page.status_code == 200
    assert "Waiting to be sent" in page.get_data(as_text=True)
    shown = LINK.search(page.get_data(as_text=True)).group(0)
    assert mailing.data_commands == 0  # nothing is sent on the request itself
    assert deliver_due().sent == 1

    [mail] = mailing.wait_for(1)
    text = mail.get_content()
    assert mail["To"].addresses[0].addr_spec == "a@example.org"
    assert mail["From"].addresses[0].display_name == clinician.practice.name
    assert clinician.practice.name in mail["Subject"]
    assert "Dr Mei Lin" in text and clinician.practice.name in text
    assert "personal" in text and "yours alone" in text
    # The link the clinician was shown, and nothing about the therapy or the other partner.
    assert LINK.findall(text) == [shown]
    forbidden = ["Chen-Wang case", "Wang Hao", "Miracle", "miracle", "Vision", "stage", "Stage",
                 catalogue.get("miracle-question").title]
    assert [word for word in forbidden if word in text] == []


def test_the_mailed_link_opens_the_partners_portal(app, client, login, world, mailing):
    clinician, couple, jing, _hao = world
    login(clinician)
    _issue(client, couple, jing, email=True)
    deliver_due()
    url = LINK.search(mailing.wait_for(1)[0].get_content()).group(0)
    token = url.rsplit("/", 1)[1]

    partner = app.test_client()
    assert partner.get(f"/portal/l/{token}").status_code == 200
    opened = partner.post("/portal/continue", data={"token": token})
    assert opened.status_code == 302 and opened.location == "/portal/"
    assert partner.get("/portal/").status_code == 200


def test_the_token_is_stored_nowhere_readable(app, client, login, world, mailing):
    clinician, couple, jing, _hao = world
    login(clinician)
    page = _issue(client, couple, jing, email=True)
    token = LINK.search(page.get_data(as_text=True)).group(0).rsplit("/", 1)[1]

    def stored() -> str:
        rows = []
        for table in ("outbound_message", "audit_event", "portal_link"):
            rows += db.session.execute(sa.text(f"SELECT * FROM {table}")).all()  # noqa: S608
        return repr(rows)

    assert token not in stored()
    deliver_due()
    assert token not in stored()
    message = db.session.scalars(sa.select(OutboundMessage)).one()
    assert message.status == MessageStatus.SENT and message.sealed is None


def test_email_it_from_the_link_page_and_follow_the_delivery(app, client, login, world, mailing):
    clinician, couple, jing, _hao = world
    login(clinician)
    page = _issue(client, couple, jing, email=False)
    body = page.get_data(as_text=True)
    assert "Email it to Chen Jing" in body
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', body).group(1)

    sent = client.post(f"/couples/{couple.id}/partners/{jing.id}/link/email", data={"token": token})
    assert sent.status_code == 302
    status = client.get(sent.location).get_data(as_text=True)
    assert "on its way" in status and "Waiting to be sent" in status

    deliver_due()
    status = client.get(sent.location).get_data(as_text=True)
    assert "Sent" in status and "a@example.org" in status
    assert LINK.search(mailing.wait_for(1)[0].get_content()).group(0).endswith(token)
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert {"portal_link.email", "mail.sent"} <= set(actions)


def test_a_replaced_link_cannot_be_emailed(app, client, login, world, mailing):
    clinician, couple, jing, _hao = world
    login(clinician)
    first = _issue(client, couple, jing, email=False).get_data(as_text=True)
    old = re.search(r'name="token" type="hidden" value="([^"]+)"', first).group(1)
    _issue(client, couple, jing, email=False)

    response = client.post(f"/couples/{couple.id}/partners/{jing.id}/link/email",
                           data={"token": old}, follow_redirects=True)
    assert "has been replaced" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMessage)) == 0


def test_a_new_link_withdraws_the_queued_mail_of_the_old_one(app, client, login, world, mailing):
    clinician, couple, jing, _hao = world
    login(clinician)
    _issue(client, couple, jing, email=True)
    _issue(client, couple, jing, email=True)

    assert deliver_due().sent == 1
    statuses = db.session.scalars(sa.select(OutboundMessage.status).order_by(OutboundMessage.id))
    assert list(statuses) == [MessageStatus.CANCELLED, MessageStatus.SENT]
    assert db.session.scalars(sa.select(OutboundMessage.sealed)).all() == [None, None]


def test_a_partner_without_an_address_gets_an_explanation_not_a_button(app, client, login, world):
    clinician, couple, _jing, hao = world  # make_couple gives partner B no address
    login(clinician)

    detail = client.get(f"/couples/{couple.id}").get_data(as_text=True)
    assert "No email address on file for Wang Hao" in detail
    page = _issue(client, couple, hao, email=False).get_data(as_text=True)
    assert "Email it to Wang Hao" not in page
    assert "Wang Hao has no email address on file" in page

    refused = _issue(client, couple, hao, email=True)
    assert refused.status_code == 302
    assert "no email address" in client.get(refused.location).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMessage)) == 0


def test_an_undelivered_link_shows_on_the_couple_page_and_the_owners_list(
    app, client, login, world, mailing, make_user, signed_in
):
    clinician, couple, jing, _hao = world
    login(clinician)
    mailing.replies = ["550 5.1.1 No such mailbox here"]
    _issue(client, couple, jing, email=True)

    assert deliver_due().failed == 1
    status = client.get(f"/couples/{couple.id}/partners/{jing.id}/link/mail").get_data(as_text=True)
    assert "Could not be delivered" in status and "550 5.1.1 No such mailbox here" in status
    detail = client.get(f"/couples/{couple.id}").get_data(as_text=True)
    assert "Mail that could not be delivered" in detail and "No such mailbox" in detail

    owner = signed_in(make_user(clinician.practice, role="owner"))
    listing = owner.get("/mail/").get_data(as_text=True)
    assert "Chen-Wang case" in listing and "550 5.1.1 No such mailbox here" in listing
    assert client.get("/mail/").status_code == 404  # a clinician has no such page


@pytest.mark.parametrize(("locale", "day"), [("en", "January 1, 2027"), ("zh_Hans", "2027年1月1日")])
def test_the_link_mails_expiry_is_the_practices_day_in_the_partners_language_outside_a_request(
    app, locale, day
):
    from datetime import UTC, datetime

    from flask import has_request_context

    from clinic.portal.link_mail import compose

    assert not has_request_context()  # as the CLI or the worker would compose it
    # 20:00 UTC on 31 December is already 1 January in Shanghai.
    _subject, body = compose(name="Chen Jing", practice="Harbour Lane", therapist="Mei Lin",
                             expires_at=datetime(2026, 12, 31, 20, 0, tzinfo=UTC), locale=locale,
                             zone="Asia/Shanghai")
    assert day in body
    assert "December 31" not in body and "12月31日" not in body
