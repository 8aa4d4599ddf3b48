"""Portal links and the portal session's scoped getter: issue, expire, revoke, re-issue, exchange."""

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from clinic.audit.models import AuditEvent
from clinic.couples.models import Partner
from clinic.extensions import db
from clinic.portal import services
from clinic.portal.models import PortalLink
from clinic.timeutil import utcnow


@pytest.fixture
def world(make_practice, make_user, make_couple):
    practice = make_practice()
    clinician = make_user(practice)
    couple = make_couple(clinician)
    other = make_couple(clinician)
    a, b = couple.partners
    return clinician, couple, a, b, other


def _actions(*prefixes) -> list[str]:
    rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    return [e.action for e in rows if e.action.startswith(prefixes)]


def _every_stored_value() -> str:
    """Every value of every row of every table, as one string (to search for a token)."""
    parts = []
    present = set(sa.inspect(db.session.connection()).get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name not in present:
            continue
        for row in db.session.execute(sa.select(table)):
            parts.extend(str(v) for v in row)
    return "\n".join(parts)


def test_issue_stores_the_sha256_of_the_token_and_never_the_token(world):
    clinician, couple, a, _b, _other = world

    issued = services.issue_link(clinician, couple.id, a.id, valid_days=30)

    assert len(issued.token) >= 43  # secrets.token_urlsafe(32)
    stored = db.session.get(PortalLink, issued.link.id)
    assert stored.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert stored.partner_id == a.id and stored.created_by_id == clinician.id
    assert issued.token not in _every_stored_value()  # not in the link row, not in the audit
    assert "portal_link.issue" in _actions("portal_link.")


def test_issued_tokens_are_unique_and_unguessable(world):
    clinician, couple, a, b, _other = world

    tokens = {services.issue_link(clinician, couple.id, p.id, valid_days=None).token
              for p in (a, b, a, b)}

    assert len(tokens) == 4


def test_expiry_is_counted_in_days_and_none_means_until_revoked(world):
    clinician, couple, a, b, _other = world

    dated = services.issue_link(clinician, couple.id, a.id, valid_days=7).link
    open_ended = services.issue_link(clinician, couple.id, b.id, valid_days=None).link

    assert dated.expires_at - dated.created_at == timedelta(days=7)
    assert open_ended.expires_at is None


def test_exchange_returns_the_link_marks_it_used_and_audits_the_opening(world):
    clinician, couple, a, _b, _other = world
    issued = services.issue_link(clinician, couple.id, a.id, valid_days=1)

    link = services.exchange_token(issued.token)

    assert link.id == issued.link.id and link.partner_id == a.id
    assert link.last_used_at is not None
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "portal.open")).one()
    assert event.actor_partner_id == a.id and event.couple_id == couple.id
    assert event.practice_id == couple.practice_id


def _refusal_events():
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "portal.refused").order_by(AuditEvent.id)
    ).all()


def test_unknown_expired_and_revoked_tokens_are_refused_alike(world):
    clinician, couple, a, b, _other = world
    expired = services.issue_link(clinician, couple.id, a.id, valid_days=1)
    expired.link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    revoked = services.issue_link(clinician, couple.id, b.id, valid_days=None)
    services.revoke_link(clinician, couple.id, b.id)

    for token in ("no-such-token", "", expired.token, revoked.token):
        with pytest.raises(services.LinkRefused):
            services.exchange_token(token)

    events = _refusal_events()
    assert len(events) == 4
    # Nothing in the audit trail tells a wrong token from a lapsed one, nor whose it was.
    assert {(e.detail["known"], e.actor_partner_id, e.practice_id, e.couple_id) for e in events} == {
        (False, None, None, None)
    }


def _session_partner(link_id, partner_id, now):
    """The partner a portal session names (one opened at partner A's current session version)."""
    version = db.session.scalar(
        sa.select(Partner.portal_session_version).join(PortalLink).where(PortalLink.id == link_id)
    ) if link_id else 1
    return services.portal_partner(link_id, partner_id, now, version=version)


def test_a_link_stops_at_its_expiry_and_so_does_its_session(world):
    clinician, couple, a, _b, _other = world
    issued = services.issue_link(clinician, couple.id, a.id, valid_days=1)
    link = services.exchange_token(issued.token)

    assert _session_partner(link.id, a.id, utcnow()).id == a.id
    later = utcnow() + timedelta(days=1, seconds=1)
    assert _session_partner(link.id, a.id, later) is None
    assert link.usable(utcnow()) and not link.usable(later)


def test_revoking_stops_the_link_and_the_sessions_opened_with_it(world):
    clinician, couple, a, _b, _other = world
    issued = services.issue_link(clinician, couple.id, a.id, valid_days=None)
    link = services.exchange_token(issued.token)

    assert services.revoke_link(clinician, couple.id, a.id) == 1

    assert _session_partner(link.id, a.id, utcnow()) is None
    with pytest.raises(services.LinkRefused):
        services.exchange_token(issued.token)
    assert services.current_link(a) is None
    assert services.revoke_link(clinician, couple.id, a.id) == 0  # nothing left to stop
    assert _actions("portal_link.revoke") == ["portal_link.revoke", "portal_link.revoke"]


def test_reissuing_revokes_the_old_link_and_ends_its_sessions(world):
    clinician, couple, a, b, _other = world
    first = services.issue_link(clinician, couple.id, a.id, valid_days=None)
    first_session = services.exchange_token(first.token)
    b_link = services.issue_link(clinician, couple.id, b.id, valid_days=None).link

    second = services.issue_link(clinician, couple.id, a.id, valid_days=None)

    assert db.session.get(PortalLink, first.link.id).revoked_at is not None
    assert _session_partner(first_session.id, a.id, utcnow()) is None
    with pytest.raises(services.LinkRefused):
        services.exchange_token(first.token)
    assert services.exchange_token(second.token).id == second.link.id
    assert services.current_link(a).id == second.link.id
    # The other partner's link is untouched.
    assert db.session.get(PortalLink, b_link.id).revoked_at is None
    assert services.links_for_couple(clinician, couple.id) == {a.id: second.link, b.id: b_link}


def test_the_session_getter_checks_that_link_and_partner_belong_together(world):
    clinician, couple, a, b, _other = world
    link = services.issue_link(clinician, couple.id, a.id, valid_days=None).link

    now = utcnow()
    assert _session_partner(link.id, a.id, now).id == a.id
    assert _session_partner(link.id, b.id, now) is None  # a tampered partner id
    assert _session_partner(None, a.id, now) is None
    assert _session_partner(link.id, None, now) is None
    assert _session_partner(link.id + 999, a.id, now) is None


def test_links_can_only_be_issued_or_revoked_within_ones_caseload(
    world, make_user, make_practice
):
    clinician, couple, a, _b, other = world
    outsider = make_user(make_practice())
    colleague = make_user(couple.primary_clinician.practice)
    supervisor = make_user(couple.primary_clinician.practice, role="supervisor")
    owner = make_user(couple.primary_clinician.practice, role="owner")

    for user in (outsider, colleague, supervisor):
        with pytest.raises(NotFound):
            services.issue_link(user, couple.id, a.id, valid_days=None)
        with pytest.raises(NotFound):
            services.revoke_link(user, couple.id, a.id)
    # A partner of another couple cannot be reached through this couple's id.
    with pytest.raises(NotFound):
        services.issue_link(clinician, couple.id, other.partners[0].id, valid_days=None)
    assert db.session.scalar(sa.select(sa.func.count(PortalLink.id))) == 0
    # The practice owner may.
    assert services.issue_link(owner, couple.id, a.id, valid_days=None).link.created_by_id == owner.id


def test_audit_view_records_the_partner_and_their_practice(world):
    _clinician, couple, a, _b, _other = world

    services.audit_view(a, "home")

    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "portal.view_home")).one()
    assert (event.actor_partner_id, event.actor_user_id) == (a.id, None)
    assert event.practice_id == couple.practice_id and event.couple_id == couple.id


def test_leaving_ends_every_portal_session_of_that_partner_only(world):
    clinician, couple, a, b, _other = world
    a_link = services.exchange_token(services.issue_link(clinician, couple.id, a.id, valid_days=None).token)
    b_link = services.exchange_token(services.issue_link(clinician, couple.id, b.id, valid_days=None).token)
    a_version, b_version = a.portal_session_version, b.portal_session_version
    now = utcnow()

    services.leave_portal(a)

    assert services.portal_partner(a_link.id, a.id, now, version=a_version) is None
    assert services.portal_partner(b_link.id, b.id, now, version=b_version).id == b.id
    # The link itself still works: opening it again starts a new session at the new version.
    assert services.portal_partner(a_link.id, a.id, now, version=a.portal_session_version).id == a.id
    assert _actions("portal.leave") == ["portal.leave"]


def test_a_session_without_a_version_reaches_nobody(world):
    clinician, couple, a, _b, _other = world
    link = services.issue_link(clinician, couple.id, a.id, valid_days=None).link

    assert services.portal_partner(link.id, a.id, utcnow(), version=None) is None
