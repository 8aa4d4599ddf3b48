"""The outbox: written with its cause, deduplicated, sealed, and delivered by the worker's job."""

import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.domain import MessageStatus
from clinic.extensions import db
from clinic.mail.delivery import deliver_due
from clinic.mail.models import OutboundMessage
from clinic.mail.services import queue_message


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMessage))


def test_a_message_is_written_only_with_the_callers_commit(app, clinician):
    queue_message(practice_id=clinician.practice_id, kind="test", to_address="a@example.org",
                  to_name="A", subject="S", body="B")
    db.session.rollback()
    assert _count() == 0

    message = queue_message(practice_id=clinician.practice_id, kind="test",
                            to_address="a@example.org", to_name="A", subject="S", body="B")
    db.session.commit()
    assert _count() == 1
    assert message.status == MessageStatus.QUEUED and message.attempts == 0


def test_a_second_message_with_the_same_dedupe_key_is_skipped(app, queue):
    first = queue(dedupe_key="reminder:7:2026-11-20")
    again = queue(dedupe_key="reminder:7:2026-11-20", subject="Other")
    assert again.id == first.id
    assert _count() == 1


def test_sealed_values_are_never_stored_readable(app, queue, smtp_server):
    app.config["MAIL_URL"] = smtp_server.url
    secret = "https://clinic.example.org/portal/l/very-secret-token"
    message = queue(body="Your link: {{portal_link}}", sealed={"portal_link": secret})
    row = db.session.execute(sa.text("SELECT * FROM outbound_message")).mappings().one()
    assert all(secret not in str(value) and "very-secret-token" not in str(value)
               for value in row.values())

    deliver_due()

    [mail] = smtp_server.mailbox.wait_for(1)
    assert secret in mail.get_content()
    db.session.refresh(message)
    assert message.sealed is None and message.body == "Your link: {{portal_link}}"


def test_the_worker_sends_due_messages_and_audits_each(app, queue, smtp_server, clinician):
    app.config.update(MAIL_URL=smtp_server.url, MAIL_FROM="clinic@example.org")
    messages = queue(3)

    run = deliver_due()

    assert run.sent == 3
    received = smtp_server.mailbox.wait_for(3)
    assert {m["To"] for m in received} == {"Chen Jing <jing@example.org>"}
    assert received[0]["From"].addresses[0].addr_spec == "clinic@example.org"
    assert received[0]["From"].addresses[0].display_name == clinician.practice.name
    for message in messages:
        db.session.refresh(message)
        assert message.status == MessageStatus.SENT and message.sent_at is not None
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "mail.sent")).all()
    assert sorted(e.object_id for e in events) == sorted(m.id for m in messages)
    assert deliver_due().sent == 0  # nothing is sent twice


def test_in_development_mail_becomes_eml_files(app, queue, tmp_path):
    app.config.update(MAIL_URL=None, MAIL_DIRECTORY=str(tmp_path / "mail"))
    queue(subject="Your personal link")

    deliver_due()

    [eml] = (tmp_path / "mail").glob("*.eml")
    assert "Subject: Your personal link" in eml.read_text()


CHINESE_BODY = "你好，陈静：\n\n这是你的个人链接。\n"  # noqa: RUF001 - Chinese punctuation


def test_names_subjects_and_text_in_chinese_arrive_intact(app, queue, smtp_server):
    app.config["MAIL_URL"] = smtp_server.url
    queue(to_name="陈静", subject="来自港湾诊所的个人链接", body=CHINESE_BODY)

    deliver_due()

    [mail] = smtp_server.mailbox.wait_for(1)
    assert mail["Subject"] == "来自港湾诊所的个人链接"
    assert mail["To"].addresses[0].display_name == "陈静"
    assert mail.get_content().replace("\r\n", "\n") == CHINESE_BODY
