"""Reaching the people, in real Chromium: the clinician emails Jing her link, the delivery runs
in-process against a local SMTP server, Jing opens the mail's link on a phone, sees whose space
it is, notes a moment, and it shows in the clinician's inbox with its badge until marked read.
The reminder mail's link brings her back the same way."""

import re
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from clinic.extensions import db
from clinic.mail.delivery import deliver_due
from clinic.timeutil import utcnow

pytestmark = pytest.mark.browser

PRACTICE = "Harbour Lane Couples Practice"
THERAPIST = "Dr Zhou Min"
MOMENT = "We cooked dumplings together and nobody checked a phone."


@pytest.fixture
def couple(make_practice, make_user, make_couple, settle_db):
    clinician = make_user(make_practice(PRACTICE), name=THERAPIST)
    couple = make_couple(clinician, label="Chen & Wang", a="Chen Jing", b="Wang Hao")
    info = {"email": clinician.email, "id": couple.id}
    settle_db()
    return info


def delivered_link(smtp_server, count: int) -> tuple[object, str]:
    """Run the worker's delivery here and now; the newest message and the portal link in it."""
    run = deliver_due()
    db.session.commit()
    assert run.failed == 0
    mail = smtp_server.mailbox.wait_for(count)[-1]
    [link] = re.findall(r"http://127\.0\.0\.1:\d+/portal/l/\S+", mail.get_content())
    return mail, link


def inbox_badge(page):
    return page.get_by_role("navigation", name="Main").locator(".count")


def test_an_emailed_link_opens_jings_space_and_her_moment_reaches_the_inbox(
    live_server, app, smtp_server, couple, desktop_context, phone_context, sign_in, check_page
):
    app.config.update(MAIL_URL=smtp_server.url, MAIL_FROM="clinic@example.org")

    # The clinician makes Jing's link and has it emailed at once.
    clinic = desktop_context().new_page()
    sign_in(clinic, couple["email"])
    clinic.goto(f"/couples/{couple['id']}")
    links = clinic.get_by_role("region", name="Portal links")
    links.get_by_label("Email it to Chen Jing").check()
    links.get_by_role("button", name="Make a link for Chen Jing").click()
    expect(clinic.get_by_role("heading", level=1, name="Chen Jing's personal link")).to_be_visible()
    expect(inbox_badge(clinic)).to_have_count(0)

    mail, link = delivered_link(smtp_server, 1)
    assert mail["To"] == "Chen Jing <a@example.org>"
    assert PRACTICE in mail["Subject"] and THERAPIST in mail.get_content()

    # Jing, on her phone: the welcome page names nobody; after Continue her space names both.
    jing = phone_context().new_page()
    jing.goto(link)
    expect(jing.get_by_role("heading", level=1, name="Welcome")).to_be_visible()
    expect(jing.get_by_text(PRACTICE)).to_have_count(0)
    jing.get_by_role("button", name="Continue").tap()
    expect(jing).to_have_url(re.compile(r"/portal/$"))
    expect(jing.get_by_text(f"{PRACTICE} · with {THERAPIST}")).to_be_visible()
    expect(jing.get_by_text(re.compile(f"Your therapist, {THERAPIST}, reads"))).to_be_visible()
    check_page(jing, "reach-portal-home")

    jing.get_by_role("link", name="Note a moment that went differently").tap()
    expect(jing.get_by_role("heading", level=1, name="A moment that went differently")).to_be_visible()
    jing.get_by_label("When was it?").fill(utcnow().date().isoformat())
    jing.get_by_label("What was different about the situation?").fill(MOMENT)
    jing.get_by_role("button", name="Save", exact=True).tap()
    expect(jing.get_by_role("status").filter(has_text="Added to your exception log")).to_be_visible()

    # The clinician's inbox has it, new, with a badge; reading it is one button.
    clinic.reload()
    expect(inbox_badge(clinic)).to_have_text(re.compile(r"^1"))
    clinic.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^Inbox")).click()
    expect(clinic.get_by_role("heading", level=1, name="What came in")).to_be_visible()
    row = clinic.get_by_role("row").filter(has_text="Exception-log entry")
    expect(row).to_contain_text("Chen Jing")
    expect(row).to_contain_text("Chen & Wang")
    expect(row).to_contain_text("New")
    check_page(clinic, "reach-clinician-inbox")
    row.get_by_role("button", name=re.compile("^Mark read")).click()
    expect(clinic.get_by_role("row").filter(has_text="Exception-log entry")).to_contain_text("Read")
    expect(inbox_badge(clinic)).to_have_count(0)
    clinic.get_by_role("row").filter(has_text="Exception-log entry").get_by_role("link").click()
    expect(clinic.locator(".card").filter(has_text=MOMENT)).to_be_visible()


def test_a_reminder_brings_jing_back_with_one_tap(
    live_server, app, smtp_server, couple, phone_context, check_page, portal_link, assign
):
    from clinic.couples.models import Couple
    from clinic.exercises.models import Assignment
    from clinic.reminders.services import send_due

    app.config.update(MAIL_URL=smtp_server.url)
    portal_link(couple["id"], "A")
    record = db.session.get(Couple, couple["id"])
    [hope] = assign(record.primary_clinician, record, "hope-question", target="A",
                    due_on=date(2026, 11, 11))
    db.session.get(Assignment, hope.id).created_at = datetime(2026, 11, 2, tzinfo=UTC)
    db.session.commit()

    assert send_due(datetime(2026, 11, 11, 10, 0, tzinfo=UTC)) == 1  # a Wednesday, 10:00 UTC
    mail, link = delivered_link(smtp_server, 1)
    assert mail["Subject"] == f"A reminder from {PRACTICE}"
    assert "A little better" not in mail.get_content()

    jing = phone_context().new_page()
    jing.goto(link)
    jing.get_by_role("button", name="Continue").tap()
    expect(jing).to_have_url(re.compile(r"/portal/$"))
    todo = jing.get_by_role("region", name="To do")
    expect(todo.get_by_role("link", name=re.compile("A little better by tonight"))).to_be_visible()
    reminders = jing.get_by_role("region", name="Reminders")
    reminders.get_by_role("button", name="Pause reminders").tap()
    expect(jing.get_by_role("status").filter(has_text="Reminders are paused.")).to_be_visible()
    check_page(jing, "reach-portal-reminders-paused")
