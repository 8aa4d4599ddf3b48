"""Reminders with the clock moved forward: the schedule, the practice's hours in its own zone,
a partner's pause, a couple's switch, the message itself and the link it carries."""

import html
from datetime import UTC, date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.exercises.models import Assignment
from clinic.exercises.services import save_answers
from clinic.extensions import db
from clinic.mail.delivery import deliver_due
from clinic.mail.models import OutboundMessage
from clinic.portal.services import revoke_link
from clinic.practice.services import PracticeSettings, update_settings
from clinic.reminders import services as reminders

SHANGHAI = ZoneInfo("Asia/Shanghai")
DUE = date(2026, 11, 11)  # a Wednesday


def at(day: int, hour: int, minute: int = 0, zone=SHANGHAI) -> datetime:
    """A moment of November 2026 on the practice's clock, as the UTC the worker sees."""
    return datetime(2026, 11, day, hour, minute, tzinfo=zone).astimezone(UTC)


def outbox() -> list[OutboundMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboundMessage).order_by(OutboundMessage.id)))


def keys() -> list[str]:
    return [m.dedupe_key for m in outbox()]


@pytest.fixture
def w(make_practice, make_user, make_couple, make_link, assign):
    practice = make_practice("Harbour Lane Couples Practice")
    owner = make_user(practice, role="owner")
    update_settings(owner, PracticeSettings(
        timezone="Asia/Shanghai", opens_at=time(9), closes_at=time(17), open_days="12345",
        remind_days_before=2, remind_on_due_day=True, remind_overdue_days=1,
    ))
    clinician = make_user(practice, name="Mei Lin")
    couple = make_couple(clinician, label="Chen & Wang")
    a, b = couple.partners
    b.email = "hao@example.org"
    db.session.commit()
    links = {a.id: make_link(a), b.id: make_link(b)}
    hope = assign(clinician, couple, "hope-question", target="A", due_on=DUE,
                  note="SECRET-NOTE about the Silence")[0]
    # Assigned in Monday's session, at 10:00 on the practice's clock.
    db.session.execute(sa.update(Assignment).values(created_at=at(9, 10)))
    db.session.commit()
    return SimpleNamespace(practice=practice, owner=owner, clinician=clinician, couple=couple,
                           a=a, b=b, hope=hope, links=links, assign=assign)


def test_the_schedule_two_days_before_on_the_day_and_once_overdue(w, app, smtp_server):
    app.config.update(MAIL_URL=smtp_server.url)
    a = w.a.id

    def arrived():
        deliver_due()
        bodies = [m.get_content() for m in smtp_server.mailbox.messages]
        return [b.replace("\r\n", "\n").split("\n\n")[1] for b in bodies]

    assert reminders.send_due(at(9, 15)) == 0  # the day it was assigned
    assert reminders.send_due(at(10, 10)) == 1
    assert keys() == [f"reminder:{a}:2026-11-11:before"]
    assert reminders.send_due(at(10, 16)) == 0  # every later run that day: nothing new
    assert arrived() == [
        "You have 1 exercise due on November 11, 2026 from Harbour Lane Couples Practice."]
    assert reminders.send_due(at(11, 9)) == 1
    assert reminders.send_due(at(12, 9, 30)) == 1
    assert reminders.send_due(at(13, 10)) == 0
    assert keys() == [f"reminder:{a}:2026-11-11:{kind}" for kind in ("before", "due", "overdue")]
    assert arrived()[1:] == [
        "You have 1 exercise due today, November 11, 2026, from Harbour Lane Couples Practice.",
        "1 exercise from Harbour Lane Couples Practice was due on November 11, 2026. You can "
        "still do it.",
    ]
    assert [e.detail["kind"] for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "reminder.queue").order_by(AuditEvent.id)
    )] == ["before", "due", "overdue"]


def test_only_within_the_practices_hours_in_its_own_zone(w):
    # 10:00 UTC on Tuesday is 18:00 in Shanghai: closed, though open by a UTC clock.
    tuesday_10_utc = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
    assert reminders.send_due(tuesday_10_utc) == 0
    assert reminders.send_due(at(10, 8, 59)) == 0
    assert reminders.send_due(at(10, 9, 0)) == 1
    # Sunday 23:30 UTC is Monday 07:30 in Shanghai; at 01:00 UTC it is 09:00 there.
    w.assign(w.clinician, w.couple, "coping-list", target="A", due_on=date(2026, 11, 18))
    db.session.execute(sa.update(Assignment).values(created_at=at(9, 10)))
    db.session.commit()
    assert reminders.send_due(datetime(2026, 11, 15, 23, 30, tzinfo=UTC)) == 0
    assert reminders.send_due(at(14, 11)) == 0  # Saturday: closed
    assert reminders.send_due(datetime(2026, 11, 16, 1, 0, tzinfo=UTC)) == 1
    assert keys()[-1] == f"reminder:{w.a.id}:2026-11-18:before"


def test_a_missed_day_is_caught_up_at_the_next_opening_once(w):
    # The worker was down all Tuesday: on Wednesday the due reminder goes, not Tuesday's.
    assert reminders.send_due(at(11, 9)) == 1
    assert keys() == [f"reminder:{w.a.id}:2026-11-11:due"]


def test_a_paused_partner_gets_none_and_the_other_still_does(w, app, smtp_server):
    app.config.update(MAIL_URL=smtp_server.url)
    joint = w.assign(w.clinician, w.couple, "listening-practice", due_on=DUE)[0]
    db.session.execute(sa.update(Assignment).values(created_at=at(9, 10)))
    db.session.commit()
    reminders.set_paused(w.a, True)

    assert reminders.send_due(at(10, 10)) == 1
    [message] = outbox()
    assert (message.partner_id, message.to_address) == (w.b.id, "hao@example.org")
    assert joint.joint
    deliver_due()
    assert [m["To"] for m in smtp_server.mailbox.wait_for(1)] == ["Wang Hao <hao@example.org>"]

    reminders.set_paused(w.a, False)
    assert reminders.send_due(at(10, 11)) == 1  # A's, now they resumed; B's is not repeated
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("reminders.%"))
    ).all()
    assert actions == ["reminders.pause", "reminders.resume"]


def test_a_couple_turned_off_by_the_clinician_gets_none(w):
    reminders.set_couple_reminders(w.clinician, w.couple.id, False)
    assert reminders.send_due(at(10, 10)) == 0
    assert reminders.send_due(at(11, 10)) == 0

    reminders.set_couple_reminders(w.clinician, w.couple.id, True)
    assert reminders.send_due(at(11, 11)) == 1


def test_no_reminder_for_work_sent_withdrawn_or_without_a_date_email_or_link(w):
    save_answers(w.a, w.hope.id, {"a_little_better": "x", "first_noticed": ""}, submit=True,
                 shared=False)
    undated = w.assign(w.clinician, w.couple, "coping-list", target="B")[0]
    for_b = w.assign(w.clinician, w.couple, "coping-list", target="B", due_on=DUE)[0]
    db.session.execute(sa.update(Assignment).values(created_at=at(9, 10)))
    db.session.commit()
    revoke_link(w.clinician, w.couple.id, w.b.id)

    assert reminders.send_due(at(10, 10)) == 0
    assert undated.due_on is None and for_b.partner_id == w.b.id


def test_another_practices_closed_hours_do_not_hold_this_one_back(w, make_practice, make_user,
                                                                  make_couple, make_link):
    berlin_owner = make_user(make_practice("Spree Practice"), role="owner")
    update_settings(berlin_owner, PracticeSettings(
        timezone="Europe/Berlin", opens_at=time(9), closes_at=time(17), open_days="12345",
        remind_days_before=2, remind_on_due_day=True, remind_overdue_days=1,
    ))
    berlin = make_couple(make_user(berlin_owner.practice))
    make_link(berlin.partners[0])
    w.assign(berlin.primary_clinician, berlin, "coping-list", target="A", due_on=DUE)
    db.session.execute(sa.update(Assignment).values(created_at=at(9, 10)))
    db.session.commit()

    # Tuesday 10:00 in Shanghai is 03:00 in Berlin: only Shanghai's partner is reminded.
    assert reminders.send_due(at(10, 10)) == 1
    assert reminders.send_due(datetime(2026, 11, 10, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))) == 1
    assert {m.practice_id for m in outbox()} == {w.practice.id, berlin_owner.practice_id}


def test_the_message_names_the_date_practice_and_therapist_and_nothing_clinical(
    w, app, smtp_server, client
):
    app.config.update(MAIL_URL=smtp_server.url, MAIL_FROM="clinic@example.org",
                      BASE_URL="https://clinic.example.org")
    reminders.send_due(at(10, 10))
    assert len(outbox()) == 1
    stored = db.session.execute(sa.text("SELECT * FROM outbound_message")).mappings().one()
    assert "/portal/l/" not in " ".join(str(v) for v in stored.values())  # sealed, not readable

    deliver_due()

    [mail] = smtp_server.mailbox.wait_for(1)
    body = mail.get_content()
    assert mail["Subject"] == "A reminder from Harbour Lane Couples Practice"
    assert "Hello Chen Jing," in body
    assert "You have 1 exercise due on November 11, 2026 from Harbour Lane Couples Practice." in body
    assert "Sent for Mei Lin at Harbour Lane Couples Practice." in body
    for clinical in ("SECRET-NOTE", "Silence", "hope", "Hope", "little better"):
        assert clinical not in body and clinical not in mail["Subject"]
    [url] = [line for line in body.splitlines() if line.startswith("https://clinic.example.org/")]

    # One tap (and Continue) brings Jing back into her own space.
    path = url.removeprefix("https://clinic.example.org")
    opened = client.get(path)
    assert opened.status_code == 200 and "Continue" in opened.get_data(as_text=True)
    token = path.removeprefix("/portal/l/")
    assert client.post("/portal/continue", data={"token": token}).location == "/portal/"
    assert "Hello, Chen Jing" in html.unescape(client.get("/portal/").get_data(as_text=True))


def _reminder_address(smtp_server, count: int) -> str:
    """The portal address in the newest of `count` reminders received."""
    mail = smtp_server.mailbox.wait_for(count)[count - 1]
    [url] = [line for line in mail.get_content().splitlines() if "/portal/l/" in line]
    return url.rpartition("/portal/l/")[2]


def _continue(app, token: str) -> int:
    return app.test_client().post("/portal/continue", data={"token": token}).status_code


@pytest.fixture
def mailing(app, smtp_server):
    app.config.update(MAIL_URL=smtp_server.url, MAIL_FROM="clinic@example.org",
                      BASE_URL="https://clinic.example.org")
    return smtp_server


def test_a_reminders_address_opens_the_portal_once_then_lapses(w, app, mailing):
    reminders.send_due(at(10, 10))
    deliver_due()
    token = _reminder_address(mailing, 1)
    stored = db.session.execute(sa.text("SELECT * FROM portal_return")).mappings().one()
    assert token not in " ".join(str(v) for v in stored.values())  # only its hash is kept
    assert stored["expires_at"] is not None

    assert _continue(app, token + "x") == 404
    assert _continue(app, token) == 302  # one tap (and Continue): Jing is back in her space
    assert _continue(app, token) == 404  # the same address again: used up
    opened = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "portal.open")).all()
    assert [e.detail for e in opened] == [{"reminder": True}]


def test_a_reminders_address_lapses_after_its_days_with_the_link_and_with_a_newer_one(
    w, app, mailing
):
    from clinic.portal.models import PortalReturn

    reminders.send_due(at(10, 10))
    deliver_due()
    first = _reminder_address(mailing, 1)
    made = db.session.scalars(sa.select(PortalReturn)).one()
    assert (made.expires_at - made.created_at).days == app.config["PORTAL_RETURN_DAYS"] == 7
    # Unused past its days: refused.
    db.session.execute(sa.update(PortalReturn).values(expires_at=sa.func.current_timestamp()))
    db.session.commit()
    assert _continue(app, first) == 404

    # The due-day reminder's address works; the next reminder's makes it lapse unused.
    reminders.send_due(at(11, 9))
    deliver_due()
    second = _reminder_address(mailing, 2)
    reminders.send_due(at(12, 9, 30))
    deliver_due()
    third = _reminder_address(mailing, 3)
    assert _continue(app, second) == 404
    # Revoking the partner's link ends the newest one too.
    revoke_link(w.clinician, w.couple.id, w.a.id)
    assert _continue(app, third) == 404


def test_a_reminder_queued_before_the_link_was_reissued_carries_the_new_link(w, app, mailing):
    from clinic.portal.services import issue_link

    reminders.send_due(at(10, 10))
    issue_link(w.clinician, w.couple.id, w.a.id, valid_days=30)  # the old link stops working
    deliver_due()
    token = _reminder_address(mailing, 1)
    jing = app.test_client()
    assert jing.post("/portal/continue", data={"token": token}).location == "/portal/"
    assert "Hello, Chen Jing" in html.unescape(jing.get("/portal/").get_data(as_text=True))


def test_a_reminder_whose_partner_lost_their_link_meanwhile_is_withdrawn_not_sent(
    w, app, mailing
):
    reminders.send_due(at(10, 10))
    revoke_link(w.clinician, w.couple.id, w.a.id)
    deliver_due()

    assert mailing.mailbox.data_commands == 0  # no dead link went out
    [message] = outbox()
    assert message.status == "cancelled" and "no working portal link" in message.last_error
    withdrawn = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "mail.withdrawn")).one()
    assert withdrawn.object_id == message.id and withdrawn.couple_id == w.couple.id


def test_a_chinese_reminder_names_the_practices_day_in_chinese(w, app, mailing):
    w.a.locale = "zh_Hans"
    db.session.commit()
    # 17:30 UTC on Tuesday 10 November is 01:30 on Wednesday in Shanghai: closed. At 09:00
    # there (01:00 UTC on Wednesday) the due-day reminder goes, dated the practice's Wednesday.
    assert reminders.send_due(datetime(2026, 11, 10, 17, 30, tzinfo=UTC)) == 0
    assert reminders.send_due(datetime(2026, 11, 11, 1, 0, tzinfo=UTC)) == 1
    deliver_due()
    [mail] = mailing.mailbox.wait_for(1)
    body = mail.get_content()
    assert "2026年11月11日" in body and "Chen Jing，你好：" in body  # noqa: RUF001
    assert "打开你的个人空间：" in body and "November" not in body  # noqa: RUF001
    assert "Hello" not in body
    assert keys() == [f"reminder:{w.a.id}:2026-11-11:due"]


def test_two_runs_at_once_queue_each_reminder_once(w):
    due = reminders.due_reminders(at(10, 10))
    assert reminders.send_due(at(10, 10)) == 1
    # A second worker that computed the same list before the first committed: skipped by key.
    from clinic.mail.services import queue_message

    queue_message(practice_id=w.practice.id, kind="reminder", to_address="a@example.org",
                  to_name="x", subject="s", body="b", dedupe_key=due[0].dedupe_key)
    db.session.commit()
    assert len(outbox()) == 1
