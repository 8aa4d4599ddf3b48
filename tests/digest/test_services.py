"""The daily digest with the clock moved forward: once a day at opening time, opt-in, counts and
case labels only."""

from datetime import UTC, date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from clinic.digest import services as digest
from clinic.extensions import db
from clinic.inbox.services import mark_all_read
from clinic.mail.delivery import deliver_due
from clinic.mail.models import OutboundMessage
from clinic.practice.services import PracticeSettings, update_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def outbox() -> list[OutboundMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboundMessage).order_by(OutboundMessage.id)))


@pytest.fixture
def w(make_practice, make_user, make_couple, log_exception, place):
    practice = make_practice("Harbour Lane")
    owner = make_user(practice, role="owner")
    update_settings(owner, PracticeSettings(
        timezone="Asia/Shanghai", opens_at=time(9), closes_at=time(17), open_days="12345",
        remind_days_before=2, remind_on_due_day=True, remind_overdue_days=1,
    ))
    clinician = make_user(practice, name="Mei Lin", email="mei@example.org")
    colleague = make_user(practice)
    riverside = make_couple(clinician, label="Riverside")
    hillside = make_couple(clinician, label="Hillside")
    elsewhere = make_couple(colleague, label="Colleague's couple")
    log_exception(riverside.partners[0], date(2026, 11, 1), "SECRET-WE-COOKED")
    log_exception(riverside.partners[1], date(2026, 11, 2), "SECRET-A-WALK")
    place(hillside.partners[0], date(2026, 11, 2), 7, movement="SECRET-MOVEMENT")
    log_exception(elsewhere.partners[0], date(2026, 11, 2), "SECRET-ELSEWHERE")
    digest.subscribe(clinician, True)
    return SimpleNamespace(owner=owner, clinician=clinician, colleague=colleague,
                           riverside=riverside, log_exception=log_exception)


def test_the_digest_goes_once_a_day_at_opening_time_and_only_to_subscribers(w):
    assert digest.send_due(at(10, 8, 45)) == 0  # Tuesday, before opening
    assert digest.send_due(at(10, 9, 1)) == 1
    assert digest.send_due(at(10, 12)) == 0  # later the same day: nothing more
    [message] = outbox()
    assert (message.user_id, message.to_address, message.kind) == (w.clinician.id, "mei@example.org",
                                                                    "digest")
    assert message.dedupe_key == f"digest:{w.clinician.id}:2026-11-10"

    # Wednesday: the same items are still unread, so they are named again, once.
    assert digest.send_due(at(11, 9, 1)) == 1
    # Saturday and Sunday the practice is closed.
    assert digest.send_due(at(14, 10)) == 0 and digest.send_due(at(15, 10)) == 0


def test_nothing_new_means_no_mail_that_day(w):
    mark_all_read(w.clinician)

    assert digest.send_due(at(10, 9, 1)) == 0
    # Something arriving later that day waits for the next morning's digest.
    w.log_exception(w.riverside.partners[0], date(2026, 11, 10))
    assert digest.send_due(at(10, 11)) == 0
    assert digest.send_due(at(11, 9, 1)) == 1


def test_unsubscribing_stops_it(w):
    digest.subscribe(w.clinician, False)

    assert digest.send_due(at(10, 9, 1)) == 0
    assert outbox() == []


def test_the_digest_names_counts_and_case_labels_never_client_text(w, app, smtp_server):
    app.config.update(MAIL_URL=smtp_server.url, BASE_URL="https://clinic.example.org")
    digest.send_due(at(10, 9, 1))

    deliver_due()

    [mail] = smtp_server.mailbox.wait_for(1)
    body = mail.get_content()
    assert mail["Subject"] == "3 new items in your inbox"
    assert "- Hillside: 1 scale placement" in body
    assert "- Riverside: 2 exception-log entries" in body
    assert "https://clinic.example.org/inbox/" in body
    # Only this clinician's caseload, and nobody's words.
    assert "Colleague's couple" not in body
    for secret in ("SECRET", "Chen Jing", "Wang Hao", "cooked", "walk"):
        assert secret not in body and secret not in mail["Subject"]


def test_the_owner_digest_covers_the_practice(w, app):
    digest.subscribe(w.owner, True)

    assert digest.send_due(at(10, 9, 1)) == 2
    owners = next(m for m in outbox() if m.user_id == w.owner.id)
    assert "Colleague's couple: 1 exception-log entry" in owners.body


def test_a_disabled_account_gets_no_digest(w):
    from clinic.practice.services import update_member

    update_member(w.owner, w.clinician.id, role="clinician", active=False)

    assert digest.send_due(at(10, 9, 1)) == 0
