"""Delivery: retries with backoff after refusals, giving up with a reason, claims that never
overlap, abandoned claims taken back, and the mail URL's three kinds of connection."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from clinic.domain import MessageStatus
from clinic.extensions import db
from clinic.mail.delivery import claim_batch, deliver_due
from clinic.mail.models import OutboundMessage
from clinic.mail.reasons import INTERRUPTED
from clinic.mail.transport import parse_mail_url
from clinic.timeutil import utcnow
from tests.smtp_server import SmtpServer, self_signed_certificate


@pytest.fixture
def mailing(app, smtp_server):
    app.config.update(MAIL_URL=smtp_server.url, MAIL_RETRY_SECONDS=60, MAIL_MAX_ATTEMPTS=3)
    return smtp_server.mailbox


def _time_passes() -> None:
    """Every waiting message becomes due (as if its retry time had come)."""
    db.session.execute(sa.update(OutboundMessage).values(next_attempt_at=utcnow()))
    db.session.commit()


def test_a_refused_message_is_tried_again_later_and_then_delivered(app, queue, mailing):
    message = queue()
    mailing.replies = ["451 4.3.0 Busy, try later"]
    before = utcnow()

    run = deliver_due()

    assert (run.sent, run.deferred) == (0, 1)
    db.session.refresh(message)
    assert message.status == MessageStatus.QUEUED and message.attempts == 1
    assert message.last_error == "451 4.3.0 Busy, try later"
    assert message.next_attempt_at >= before + timedelta(seconds=60)
    assert deliver_due().sent == 0  # not due yet: nothing is hammered

    _time_passes()
    assert deliver_due().sent == 1
    assert len(mailing.wait_for(1)) == 1
    db.session.refresh(message)
    assert message.status == MessageStatus.SENT and message.attempts == 2
    assert message.last_error is None


def test_the_pause_doubles_and_the_message_fails_after_the_last_attempt(app, queue, mailing):
    message = queue()
    mailing.replies = ["421 4.7.0 Slow down"] * 3
    pauses = []
    for _ in range(3):
        start = utcnow()
        deliver_due()
        db.session.refresh(message)
        pauses.append((message.next_attempt_at - start).total_seconds())
        _time_passes()

    assert message.status == MessageStatus.FAILED and message.attempts == 3
    assert message.last_error == "421 4.7.0 Slow down"
    assert 60 <= pauses[0] < 70 and 120 <= pauses[1] < 130  # then it gave up
    assert mailing.messages == []


def test_a_permanent_refusal_fails_at_once_with_the_servers_reason(app, queue, mailing):
    message = queue()
    mailing.replies = ["554 5.7.1 Message rejected"]

    assert deliver_due().failed == 1

    db.session.refresh(message)
    assert message.status == MessageStatus.FAILED and message.attempts == 1
    assert message.last_error == "554 5.7.1 Message rejected"


def test_an_unreachable_server_keeps_every_message_queued(app, queue):
    server = SmtpServer().start()
    url = server.url
    server.stop()  # nothing listens on that port any more
    app.config["MAIL_URL"] = url
    messages = queue(3)

    run = deliver_due()

    assert run.deferred == 3
    for message in messages:
        db.session.refresh(message)
        assert message.status == MessageStatus.QUEUED
        assert message.last_error.startswith("could not reach the mail server")


def test_without_a_mail_server_configured_production_waits_with_a_reason(app, queue):
    app.config.update(MAIL_URL=None, TESTING=False, DEVELOPMENT=False)
    try:
        message = queue()
        deliver_due()
    finally:
        app.config["TESTING"] = True
    db.session.refresh(message)
    assert message.status == MessageStatus.QUEUED
    assert "CLINIC_MAIL_URL" in message.last_error


def test_two_workers_never_claim_the_same_message(app, queue):
    queue(40)
    barrier = threading.Barrier(4)
    claimed: list[list[int]] = []
    sizes: list[int] = []

    def worker():
        with app.app_context():
            barrier.wait()
            mine = []
            while True:
                _token, batch = claim_batch(3)
                if not batch:
                    break
                sizes.append(len(batch))
                mine += [m.id for m in batch]
            claimed.append(mine)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    every = [i for mine in claimed for i in mine]
    assert len(every) == 40 and len(set(every)) == 40
    assert max(sizes) <= 3  # a claim never takes more than it asked for


def test_messages_of_a_vanished_worker_are_taken_back_after_the_lease(app, queue, mailing):
    messages = queue(3)
    claim_batch(3)  # a worker took them, then died without a word
    app.config["MAIL_LEASE_SECONDS"] = 300
    assert deliver_due().sent == 0  # the lease still runs: they may be on their way

    db.session.execute(sa.update(OutboundMessage).values(claimed_at=utcnow() - timedelta(seconds=301)))
    db.session.commit()
    run = deliver_due()

    assert run.sent == 3
    assert len(mailing.wait_for(3)) == 3
    for message in messages:
        db.session.refresh(message)
        assert message.status == MessageStatus.SENT and message.attempts == 2


def test_an_abandoned_message_at_its_last_attempt_fails_saying_it_may_have_arrived(app, queue):
    app.config.update(MAIL_MAX_ATTEMPTS=1, MAIL_LEASE_SECONDS=1)
    message = queue()
    claim_batch(1)
    db.session.execute(sa.update(OutboundMessage).values(claimed_at=utcnow() - timedelta(seconds=5)))
    db.session.commit()

    deliver_due()

    db.session.refresh(message)
    assert message.status == MessageStatus.FAILED and message.last_error == INTERRUPTED


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://user:p%40ss@mail.example.org:587", ("mail.example.org", 587, "starttls", "user", "p@ss")),
    ("smtps://user:secret@mail.example.org", ("mail.example.org", 465, "tls", "user", "secret")),
    ("smtp://127.0.0.1:25", ("127.0.0.1", 25, "plain", None, None)),
    ("smtp://relay.local", ("relay.local", 25, "plain", None, None)),
])
def test_the_mail_url_names_the_connection(url, expected):
    s = parse_mail_url(url)
    assert (s.host, s.port, s.security, s.username, s.password) == expected


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "mail.example.org:25"])
def test_a_malformed_mail_url_is_refused(url):
    with pytest.raises(ValueError, match="CLINIC_MAIL_URL"):
        parse_mail_url(url)


def test_with_a_user_name_the_password_only_travels_after_starttls(app, queue, tmp_path):
    certificate = self_signed_certificate(tmp_path)
    server = SmtpServer(certificate, credentials=("clinic", "s3cret")).start()
    try:
        app.config.update(MAIL_URL=f"smtp://clinic:s3cret@127.0.0.1:{server.port}",
                          MAIL_TLS_CA_FILE=str(certificate[0]))
        queue()
        assert deliver_due().sent == 1
        assert len(server.mailbox.wait_for(1)) == 1

        app.config["MAIL_URL"] = f"smtp://clinic:wrong@127.0.0.1:{server.port}"
        refused = queue(subject="Second")
        assert deliver_due().deferred == 1
        db.session.refresh(refused)
        assert refused.last_error.startswith("the mail server refused the sign-in")
    finally:
        server.stop()


def test_a_server_without_starttls_never_receives_the_password(app, queue, smtp_server):
    app.config["MAIL_URL"] = f"smtp://clinic:s3cret@127.0.0.1:{smtp_server.port}"
    message = queue()

    deliver_due()

    db.session.refresh(message)
    assert message.status == MessageStatus.QUEUED
    assert message.last_error == "the mail server does not offer STARTTLS"
    assert smtp_server.mailbox.data_commands == 0
