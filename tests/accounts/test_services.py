"""Invitations and password resets as services, their mail read from a local SMTP server.

The outbox is delivered in the test with the worker's own function (deliver_due)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from clinic.accounts import services
from clinic.accounts.models import AccountToken, ResetRequest
from clinic.audit.models import AuditEvent
from clinic.auth.models import User
from clinic.auth.passwords import verify_password
from clinic.auth.services import load_user
from clinic.domain import MessageStatus, TokenPurpose
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.mail.delivery import deliver_due
from clinic.mail.models import OutboundMessage
from clinic.timeutil import utcnow
from tests.account_links import account_link as link_in

NEW_PASSWORD = "a river at dawn, slowly"


@pytest.fixture
def mailbox(delivered):
    return delivered


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def owner(make_user):
    return make_user(role="owner")


def invite(owner, email="hao.wang@example.org", role="clinician"):
    return services.invite_member(owner, services.Invitation(email=email, name="Wang Hao", role=role))


def _lifetime_then_expire() -> timedelta:
    """How long the only token was made to last (to the second); then it is made to lapse."""
    row = db.session.scalars(sa.select(AccountToken)).one()
    lifetime = row.expires_at - row.created_at
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    return timedelta(seconds=round(lifetime.total_seconds()))


# --- invitations -------------------------------------------------------------------------------


def test_an_invitation_mails_a_single_use_link_and_stores_only_its_hash(owner, mailbox):
    member = invite(owner)

    assert member.invitation_pending and member.practice_id == owner.practice_id
    [mail] = mailbox(1)
    assert mail["To"] == "Wang Hao <hao.wang@example.org>"
    assert owner.practice.name in mail["Subject"]
    path, token = link_in(mail)
    assert path == "/accounts/invitation/" + token
    # Neither the token nor the link is kept readable anywhere: not in the outbox, not as a token.
    for table in ("account_token", "outbound_message", "audit_event"):
        for row in db.session.execute(sa.text(f"SELECT * FROM {table}")).all():  # noqa: S608
            assert token not in " ".join(map(str, row)), table
    assert services.holder(token, TokenPurpose.INVITATION).id == member.id
    [event] = events("user.invite")
    assert (event.actor_user_id, event.object_id) == (owner.id, member.id)


def test_an_invited_member_has_no_password_until_they_choose_one(owner, mailbox):
    member = invite(owner)
    _path, token = link_in(mailbox(1)[0])
    assert not verify_password(member.password_hash, "")

    user = services.use_link(token, TokenPurpose.INVITATION, NEW_PASSWORD)

    assert user.id == member.id and not user.invitation_pending and not user.must_change_password
    assert verify_password(user.password_hash, NEW_PASSWORD)
    with pytest.raises(services.LinkRefused):
        services.use_link(token, TokenPurpose.INVITATION, "another river at dusk")
    assert len(events("user.invitation_accepted")) == 1


def test_a_refused_password_leaves_the_invitation_usable(owner, mailbox):
    invite(owner)
    _path, token = link_in(mailbox(1)[0])

    with pytest.raises(DomainError) as refused:
        services.use_link(token, TokenPurpose.INVITATION, "password1")

    assert refused.value.field == "password" and not isinstance(refused.value, services.LinkRefused)
    assert services.use_link(token, TokenPurpose.INVITATION, NEW_PASSWORD)


def test_an_invitation_lasts_72_hours(owner, mailbox):
    member = invite(owner)
    _path, token = link_in(mailbox(1)[0])
    assert _lifetime_then_expire() == timedelta(hours=72)

    assert services.holder(token, TokenPurpose.INVITATION) is None
    with pytest.raises(services.LinkRefused):
        services.use_link(token, TokenPurpose.INVITATION, NEW_PASSWORD)
    assert db.session.get(User, member.id).invitation_pending


def test_an_invitation_link_cannot_reset_and_a_reset_link_cannot_invite(owner, mailbox):
    invite(owner)
    _path, token = link_in(mailbox(1)[0])

    with pytest.raises(services.LinkRefused):
        services.use_link(token, TokenPurpose.RESET, NEW_PASSWORD)


def test_resending_an_invitation_stops_the_earlier_link(owner, mailbox):
    member = invite(owner)
    _path, first = link_in(mailbox(1)[0])

    services.resend_invitation(owner, member.id)

    _path, second = link_in(mailbox(2)[1])
    assert services.holder(first, TokenPurpose.INVITATION) is None
    assert services.use_link(second, TokenPurpose.INVITATION, NEW_PASSWORD).id == member.id
    with pytest.raises(DomainError):
        services.resend_invitation(owner, member.id)  # a password is chosen now


def test_resending_an_invitation_withdraws_the_earlier_mail_still_waiting(owner, mailbox, smtp_server):
    """The owner re-sends before the first mail went out: only the working link is mailed."""
    member = invite(owner)

    services.resend_invitation(owner, member.id)

    [mail] = mailbox(1)
    _path, token = link_in(mail)
    assert services.holder(token, TokenPurpose.INVITATION).id == member.id
    assert deliver_due().sent == 0 and len(smtp_server.mailbox.messages) == 1
    first, second = db.session.scalars(sa.select(OutboundMessage).order_by(OutboundMessage.id))
    assert (first.status, first.sealed) == (MessageStatus.CANCELLED, None)
    assert second.status == MessageStatus.SENT


def test_only_an_owner_invites_and_only_into_their_own_practice(owner, make_user, make_practice):
    clinician = make_user(owner.practice)
    with pytest.raises(NotFound):
        invite(clinician)
    member = invite(owner)
    other_owner = make_user(make_practice(), role="owner")
    with pytest.raises(NotFound):
        services.resend_invitation(other_owner, member.id)
    with pytest.raises(DomainError) as taken:
        invite(owner, email=member.email)
    assert taken.value.field == "email"


# --- password resets ---------------------------------------------------------------------------


def test_a_reset_is_mailed_for_a_known_address_and_nothing_for_an_unknown_one(make_user, mailbox):
    user = make_user(email="jing.chen@example.org")

    services.request_password_reset("nobody@example.org")
    services.request_password_reset("  Jing.Chen@Example.org ")
    # The request itself only notes the address, whatever it is; the worker does the rest.
    pending = db.session.scalars(sa.select(ResetRequest.email).order_by(ResetRequest.id)).all()
    assert pending == ["nobody@example.org", "jing.chen@example.org"]
    assert db.session.scalar(sa.select(sa.func.count(OutboundMessage.id))) == 0
    assert events("auth.reset_requested") == []

    [mail] = mailbox(1)
    assert mail["To"].addresses[0].addr_spec == user.email
    path, _token = link_in(mail)
    assert path.startswith("/accounts/reset/")
    requested = events("auth.reset_requested")
    assert [(e.object_id, e.detail["mailed"]) for e in requested] == [(None, False), (user.id, True)]
    assert db.session.scalar(sa.select(sa.func.count(OutboundMessage.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(ResetRequest.id))) == 0  # handled, forgotten


def test_a_disabled_account_gets_no_reset_mail(make_user, mailbox, smtp_server):
    user = make_user()
    user.active = False
    db.session.commit()

    services.request_password_reset(user.email)

    assert services.send_reset_links() == 0
    assert deliver_due().sent == 0 and smtp_server.mailbox.messages == []


def test_using_a_reset_link_ends_every_session_and_every_other_reset_link(make_user, mailbox):
    user = make_user()
    session_id = user.get_id()
    services.request_password_reset(user.email)
    mailbox(1)  # the first mail goes out before the second request
    services.request_password_reset(user.email)
    first, second = (link_in(m)[1] for m in mailbox(2))

    services.use_link(second, TokenPurpose.RESET, NEW_PASSWORD)

    assert load_user(session_id) is None  # every session of the user ended
    assert verify_password(db.session.get(User, user.id).password_hash, NEW_PASSWORD)
    for token in (first, second):
        with pytest.raises(services.LinkRefused):
            services.use_link(token, TokenPurpose.RESET, "yet another long phrase")
    [event] = events("auth.password_reset")
    assert event.object_id == user.id


def test_a_password_chosen_through_one_link_stops_the_links_of_the_other_kind(owner, mailbox):
    """An invited member who cannot find the invitation asks for a reset and uses it: the
    invitation mail, still in their (or anyone's) inbox, can no longer replace that password."""
    member = invite(owner)
    services.request_password_reset(member.email)
    invitation, reset = (link_in(m)[1] for m in mailbox(2))

    services.use_link(reset, TokenPurpose.RESET, NEW_PASSWORD)

    assert services.holder(invitation, TokenPurpose.INVITATION) is None
    with pytest.raises(services.LinkRefused):
        services.use_link(invitation, TokenPurpose.INVITATION, "somebody else's phrase now")
    assert verify_password(db.session.get(User, member.id).password_hash, NEW_PASSWORD)


def test_a_reset_lasts_one_hour(make_user, mailbox):
    user = make_user()
    services.request_password_reset(user.email)
    _path, token = link_in(mailbox(1)[0])
    assert _lifetime_then_expire() == timedelta(hours=1)

    with pytest.raises(services.LinkRefused):
        services.use_link(token, TokenPurpose.RESET, NEW_PASSWORD)


def test_asking_again_and_again_mails_three_links_and_each_keeps_working(make_user, mailbox, app):
    """Somebody else asking for resets cannot lock the owner of the address out."""
    user = make_user()
    tokens = []
    for _ in range(6):  # the worker runs between the requests: each link goes out
        services.request_password_reset(user.email)
        tokens = [link_in(m)[1] for m in mailbox(min(len(tokens) + 1, 3))]

    assert len(tokens) == app.config["RESET_MAILS_PER_HOUR"] == 3
    assert deliver_due().sent == 0  # nothing more was queued
    assert all(services.holder(t, TokenPurpose.RESET).id == user.id for t in tokens)
    assert services.use_link(tokens[0], TokenPurpose.RESET, NEW_PASSWORD).id == user.id


def test_a_reset_asked_again_before_its_mail_went_out_mails_the_newest_link_only(make_user, mailbox):
    user = make_user()
    for _ in range(3):
        services.request_password_reset(user.email)

    [mail] = mailbox(1)

    assert services.holder(link_in(mail)[1], TokenPurpose.RESET).id == user.id
    statuses = db.session.scalars(sa.select(OutboundMessage.status).order_by(OutboundMessage.id)).all()
    assert statuses == [MessageStatus.CANCELLED, MessageStatus.CANCELLED, MessageStatus.SENT]
