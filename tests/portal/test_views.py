"""The partners' portal as a partner uses it: the link, their exercises, their log, their privacy."""

import html
import logging
import re
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.exercises.models import Assignment, Submission
from clinic.extensions import db
from clinic.logs import RedactPortalTokens
from clinic.portal.models import PortalLink
from clinic.records.models import ExceptionEntry, ScalePlacement
from clinic.timeutil import utcnow

NARRATIVE = {
    "a-matters": "That we laugh together again",
    "a-struggles": "The long evenings of silence",
    "a-longings": "Sunday walks by the river",
}


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def csrf_of(response) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]*)"', response.get_data(as_text=True))
    assert found, "no CSRF token on the page"
    return found.group(1)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def family(make_practice, make_user, make_couple):
    practice = make_practice()
    clinician = make_user(practice)
    couple = make_couple(clinician, a="Chen Jing", b="Wang Hao")
    a, b = couple.partners
    return SimpleNamespace(practice=practice, clinician=clinician, couple=couple, a=a, b=b)


def exception_form(context="We cooked together and nobody sulked", day="2025-03-14", **extra):
    return {"a-date": day, "a-context": context, "sharing": "private", **extra}


# --- the link ----------------------------------------------------------------------------------


def test_opening_a_link_changes_nothing_and_looks_the_same_for_any_token(
    family, client, make_link, sql_statements
):
    issued = make_link(family.a)
    audit_rows = count(AuditEvent)

    with sql_statements() as statements:
        valid = client.get(f"/portal/l/{issued.token}")
        invalid = client.get("/portal/l/this-is-not-a-token")

    assert valid.status_code == invalid.status_code == 200
    # The same page: only the token it will post differs.
    assert page(valid).replace(issued.token, "T") == page(invalid).replace("this-is-not-a-token", "T")
    assert "Continue" in page(valid)
    # Nothing was looked up, written or used up: a mail scanner may open links.
    assert statements == []
    assert count(AuditEvent) == audit_rows
    assert db.session.get(PortalLink, issued.link.id).last_used_at is None
    # And it is no session: the partner's pages stay closed.
    assert client.get("/portal/").status_code == 302


def test_continue_opens_the_partners_space_on_urls_without_the_token(family, client, make_link):
    issued = make_link(family.a)

    response = client.post("/portal/continue", data={"token": issued.token})

    assert response.status_code == 302 and response.location == "/portal/"
    assert issued.token not in response.headers.get("Set-Cookie", "")
    home = client.get("/portal/")
    assert home.status_code == 200
    assert "Hello, Chen Jing" in page(home)
    assert issued.token not in page(home)
    assert db.session.get(PortalLink, issued.link.id).last_used_at is not None


def test_unknown_expired_and_revoked_links_get_the_same_answer(family, make_link, app):
    unknown = "x" * 43
    expired = make_link(family.a, valid_days=1)
    expired.link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    revoked = make_link(family.b)
    make_link(family.b)  # re-issued: the first one no longer works

    answers = []
    for token in (unknown, expired.token, revoked.token, ""):
        browser = app.test_client()
        response = browser.post("/portal/continue", data={"token": token})
        # Each browser gets its own CSRF token (the page's language control): the rest must match.
        body = re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))
        answers.append((response.status_code, body, sorted(response.headers.keys())))
        assert browser.get("/portal/").status_code == 302  # no session came of it

    assert answers[0][0] == 404
    assert "This link does not open" in answers[0][1]
    assert all(answer == answers[0] for answer in answers)


@pytest.mark.config(RATELIMIT_ENABLED=True, PORTAL_LINK_LIMIT="3 per minute")
def test_continue_is_rate_limited_per_address(family, app, make_link):
    issued = make_link(family.a)
    guesser = app.test_client()

    tries = [guesser.post("/portal/continue", data={"token": f"guess-{n}"}).status_code
             for n in range(3)]
    blocked = guesser.post("/portal/continue", data={"token": issued.token})

    assert tries == [404, 404, 404]
    assert blocked.status_code == 429  # even the right token waits: guessing gains nothing
    assert blocked.headers["Cache-Control"] == "no-store"
    # Somebody else, elsewhere, is not locked out by it.
    partner = app.test_client()
    response = partner.post(
        "/portal/continue", data={"token": issued.token}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert response.status_code == 302


def test_reissuing_a_link_ends_the_portal_session_opened_with_the_old_one(
    family, portal_client, signed_in
):
    browser = portal_client(family.a)
    clinician = signed_in(family.clinician)

    response = clinician.post(
        f"/couples/{family.couple.id}/partners/{family.a.id}/link", data={"valid_days": "30"}
    )

    assert response.status_code == 200
    new_token = re.search(r"/portal/l/([A-Za-z0-9_\-]+)", page(response)).group(1)
    assert new_token != browser.token
    ended = browser.get("/portal/")
    assert ended.status_code == 302 and ended.location == "/portal/ended"
    assert browser.post("/portal/continue", data={"token": browser.token}).status_code == 404
    assert browser.post("/portal/continue", data={"token": new_token}).status_code == 302
    assert browser.get("/portal/").status_code == 200


def test_revoking_a_link_ends_the_portal_session_but_not_the_other_partners(
    family, portal_client, signed_in
):
    a_browser = portal_client(family.a)
    b_browser = portal_client(family.b)
    clinician = signed_in(family.clinician)

    response = clinician.post(f"/couples/{family.couple.id}/partners/{family.a.id}/link/revoke")

    assert response.status_code == 302
    assert a_browser.get("/portal/").location == "/portal/ended"
    assert a_browser.post("/portal/continue", data={"token": a_browser.token}).status_code == 404
    assert b_browser.get("/portal/").status_code == 200


def test_leaving_ends_the_session_on_this_phone(family, portal_client):
    browser = portal_client(family.a)

    response = browser.post("/portal/leave")

    assert response.status_code == 302
    assert "You have left your space" in page(browser.get(response.location))
    assert browser.get("/portal/entries").location == "/portal/ended"


COOKIE = "clinic_session"


def _replay(app, browser):
    """Another browser holding a copy of `browser`'s portal cookie (the other partner, say)."""
    copy = app.test_client()
    copy.set_cookie(COOKIE, browser.get_cookie(COOKIE).value)
    return copy


def test_a_portal_cookie_copied_before_leave_is_refused_after_it(family, portal_client, app):
    browser = portal_client(family.a)
    copy = _replay(app, browser)
    assert copy.get("/portal/entries").status_code == 200  # the copy works while the session does

    browser.post("/portal/leave")

    for path in ("/portal/", "/portal/entries", "/portal/add/exception"):
        assert copy.get(path).location == "/portal/ended", path
    # Nor can it write: a post is kept for resending, never stored.
    response = copy.post("/portal/add/exception", data=exception_form("Written after leaving"))
    assert "Written after leaving" not in page(copy.get("/portal/entries"))
    assert response.status_code != 302
    assert count(ExceptionEntry) == 0
    # The partner's link still works for a new session.
    again = app.test_client()
    again.post("/portal/continue", data={"token": browser.token})
    assert again.get("/portal/").status_code == 200


def test_leave_ends_the_partners_sessions_on_other_devices_but_not_the_other_partners(
    family, portal_client, make_link
):
    issued = make_link(family.a)
    phone = portal_client(family.a, issued)
    laptop = portal_client(family.a, issued)
    other = portal_client(family.b)

    phone.post("/portal/leave")

    assert laptop.get("/portal/").location == "/portal/ended"
    assert other.get("/portal/").status_code == 200
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "portal.leave")
    ).all()
    assert [(e.actor_partner_id, e.couple_id) for e in events] == [(family.a.id, family.couple.id)]


@pytest.mark.parametrize("action", ["revoke", "reissue"])
def test_a_copied_portal_cookie_is_refused_after_the_link_is_revoked_or_reissued(
    family, portal_client, signed_in, app, action
):
    browser = portal_client(family.a)
    copy = _replay(app, browser)
    clinician = signed_in(family.clinician)
    base = f"/couples/{family.couple.id}/partners/{family.a.id}/link"

    clinician.post(base + "/revoke" if action == "revoke" else base, data={"valid_days": "30"})

    assert copy.get("/portal/entries").location == "/portal/ended"
    assert browser.get("/portal/").location == "/portal/ended"


def test_opening_a_portal_link_signs_a_clinician_out_of_that_browser(family, signed_in, make_link):
    browser = signed_in(family.clinician)
    assert browser.get("/couples/").status_code == 200

    browser.post("/portal/continue", data={"token": make_link(family.a).token})

    assert browser.get("/couples/").status_code == 302
    assert browser.get("/inbox/").status_code == 302


def test_idle_and_absolute_timeouts_close_the_portal(family, portal_client, app):
    idle = portal_client(family.a)
    with idle.session_transaction() as session:
        session["portal"] = {**session["portal"], "seen": int(time.time())
                             - app.config["IDLE_TIMEOUT_SECONDS"] - 1}
    assert idle.get("/portal/").location == "/portal/ended"

    old = portal_client(family.b)
    with old.session_transaction() as session:
        session["portal"] = {**session["portal"], "at": int(time.time())
                             - app.config["ABSOLUTE_TIMEOUT_SECONDS"] - 1}
    assert old.get("/portal/").location == "/portal/ended"


def test_a_tampered_session_reaches_nobody(family, portal_client):
    browser = portal_client(family.a)
    with browser.session_transaction() as session:
        session["portal"] = {**session["portal"], "partner": family.b.id}

    assert browser.get("/portal/").location == "/portal/ended"


# --- headers and logs --------------------------------------------------------------------------


def test_portal_pages_send_no_referrer_and_are_not_cached(family, portal_client, assign, client):
    assignment = assign(family.clinician, family.couple, "hope-question")[0]
    browser = portal_client(family.a)
    responses = [
        client.get(f"/portal/l/{browser.token}"),
        client.post("/portal/continue", data={"token": "nope"}),
        client.get("/portal/ended"),
        client.post("/portal/add/exception", data={"a-context": "kept"}),  # expired: resend page
        browser.get("/portal/"),
        browser.get("/portal/entries"),
        browser.get(f"/portal/exercises/{assignment.id}"),
        browser.get("/portal/add/scale"),
        browser.get("/portal/exercises/99999"),
        browser.post("/portal/continue", data={"token": browser.token}),
    ]

    for response in responses:
        assert response.headers["Referrer-Policy"] == "no-referrer", response.request.path
        assert response.headers["Cache-Control"] == "no-store", response.request.path
    assert [r.status_code for r in responses] == [200, 404, 200, 401, 200, 200, 200, 200, 404, 302]
    assert '<meta name="referrer" content="no-referrer">' in page(responses[0])


def _werkzeug_record(path: str) -> logging.LogRecord:
    """A request line as Werkzeug's development server logs it (serving.py, log_request)."""
    return logging.LogRecord(
        "werkzeug", logging.INFO, "serving.py", 0,
        '127.0.0.1 - - [14/Mar/2025 10:00:00] "%s" %s %s', (f"GET {path} HTTP/1.1", "200", "-"),
        None,
    )


def test_the_token_is_redacted_from_werkzeug_request_lines():
    token = "Zm9vYmFyLWJhei1xdXV4LTEyMzQ1Njc4OTBfLWFiY2RlZmdo"
    record = _werkzeug_record(f"/portal/l/{token}")

    assert RedactPortalTokens().filter(record) is True
    message = record.getMessage()
    assert token not in message
    assert '"GET /portal/l/[redacted] HTTP/1.1" 200 -' in message

    other = _werkzeug_record("/portal/entries")
    RedactPortalTokens().filter(other)
    assert other.getMessage().endswith('"GET /portal/entries HTTP/1.1" 200 -')


def test_the_token_is_redacted_from_gunicorn_style_access_lines():
    token = "abcDEF123_-xyz"
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, "glogging.py", 0, '%(h)s "%(r)s" %(s)s "%(f)s"',
        ({"h": "10.0.0.1", "r": f"GET /portal/l/{token}?x=1 HTTP/1.1", "s": "200",
          "f": f"https://clinic.example/portal/l/{token}"},), None,
    )

    RedactPortalTokens().filter(record)

    assert token not in record.getMessage()
    assert record.getMessage().count("/portal/l/[redacted]") == 2


def test_the_app_installs_the_filter_on_the_request_loggers(app, caplog):
    token = "s3cr3t-t0ken_value"
    caplog.set_level(logging.INFO)
    for name in ("werkzeug", "gunicorn.access", app.logger.name):
        logging.getLogger(name).info('"GET %s HTTP/1.1" 200 -', f"/portal/l/{token}")

    assert token not in caplog.text
    assert caplog.text.count("/portal/l/[redacted]") == 3


# --- isolation ---------------------------------------------------------------------------------


@pytest.fixture
def two_couples(family, make_couple, assign):
    """Couple 1 with one assignment for each partner and a joint one; couple 2 with its own."""
    narrative_a, narrative_b = assign(family.clinician, family.couple, "relationship-narrative")
    joint = assign(family.clinician, family.couple, "listening-practice")[0]
    log_a, log_b = assign(family.clinician, family.couple, "exception-log")
    other = make_couple(family.clinician, a="Ola Nordmann", b="Kari Nordmann")
    other_narrative = assign(family.clinician, other, "relationship-narrative", target="A")[0]
    return SimpleNamespace(
        **vars(family), narrative_a=narrative_a, narrative_b=narrative_b, joint=joint,
        log_a=log_a, log_b=log_b, other=other, other_narrative=other_narrative,
    )


def test_a_partner_cannot_open_or_submit_their_partners_or_another_couples_assignment(
    two_couples, portal_client
):
    w = two_couples
    browser = portal_client(w.a)

    for assignment in (w.narrative_b, w.other_narrative, w.log_b):
        assert browser.get(f"/portal/exercises/{assignment.id}").status_code == 404
        response = browser.post(
            f"/portal/exercises/{assignment.id}", data={**NARRATIVE, "action": "submit"}
        )
        assert response.status_code == 404
    assert browser.get(f"/portal/add/exception?assignment={w.log_b.id}").status_code == 404
    assert browser.post(
        f"/portal/add/exception?assignment={w.log_b.id}", data=exception_form()
    ).status_code == 404
    # The own assignment of the wrong kind does not pass as an exception-log assignment either.
    assert browser.get(f"/portal/add/exception?assignment={w.narrative_a.id}").status_code == 404
    assert count(Submission) == 0 and count(ExceptionEntry) == 0
    db.session.expire_all()
    assert {a.status for a in db.session.scalars(sa.select(Assignment))} == {"assigned"}


def test_a_partner_sees_only_their_own_and_the_joint_assignments(two_couples, portal_client):
    w = two_couples
    home = page(portal_client(w.a).get("/portal/"))

    assert f"/portal/exercises/{w.narrative_a.id}" in home
    assert f"/portal/exercises/{w.joint.id}" in home
    assert f"/portal/exercises/{w.log_a.id}" in home
    assert f"/portal/exercises/{w.narrative_b.id}" not in home
    assert f"/portal/exercises/{w.other_narrative.id}" not in home


def test_a_withdrawn_assignment_disappears_from_the_portal(two_couples, portal_client):
    from clinic.exercises.services import withdraw_assignment

    w = two_couples
    withdraw_assignment(w.clinician, w.narrative_a.id)
    browser = portal_client(w.a)

    assert f"/portal/exercises/{w.narrative_a.id}" not in page(browser.get("/portal/"))
    assert browser.get(f"/portal/exercises/{w.narrative_a.id}").status_code == 404


def test_a_joint_assignment_is_reachable_by_both_and_done_once(two_couples, portal_client):
    w = two_couples
    a_browser, b_browser = portal_client(w.a), portal_client(w.b)
    url = f"/portal/exercises/{w.joint.id}"
    words = {"a-understood": "She feels alone at dinner", "a-being_heard": "Calming"}

    assert a_browser.post(url, data={**words, "action": "draft"}).status_code == 302
    assert "She feels alone at dinner" in page(b_browser.get(url))  # the draft is theirs together
    assert b_browser.post(url, data={**words, "action": "submit"}).status_code == 302

    submission = db.session.scalars(sa.select(Submission)).one()
    assert submission.state == "submitted"
    for browser in (a_browser, b_browser):
        assert browser.get(url).location == f"/portal/sent/{submission.id}"
        sent = browser.get(f"/portal/sent/{submission.id}")
        assert sent.status_code == 200 and "She feels alone at dinner" in page(sent)


def test_a_partner_cannot_read_the_other_partners_private_submission(two_couples, portal_client):
    w = two_couples
    b_browser = portal_client(w.b)
    secret = {
        "a-matters": "I am afraid when he shouts",
        "a-struggles": "Nobody knows",
        "a-longings": "Safety",
    }
    b_browser.post(f"/portal/exercises/{w.narrative_b.id}", data={**secret, "action": "submit"})
    submission = db.session.scalars(sa.select(Submission)).one()
    assert submission.partner_id == w.b.id and not submission.shared_with_partner
    a_browser = portal_client(w.a)

    assert a_browser.get(f"/portal/sent/{submission.id}").status_code == 404
    pages = [a_browser.get(path) for path in (
        "/portal/", "/portal/entries", f"/portal/exercises/{w.narrative_a.id}",
        f"/portal/exercises/{w.joint.id}",
    )]
    for response in pages:
        assert "I am afraid when he shouts" not in page(response)
        assert f"/portal/sent/{submission.id}" not in page(response)
    # Its author still reads it.
    assert "I am afraid when he shouts" in page(b_browser.get(f"/portal/sent/{submission.id}"))


def test_a_draft_is_never_shown_to_the_other_partner_even_if_marked_shared(
    two_couples, portal_client
):
    w = two_couples
    b_browser = portal_client(w.b)
    b_browser.post(f"/portal/exercises/{w.narrative_b.id}",
                   data={"a-matters": "half a thought", "action": "draft", "sharing": "shared"})
    submission = db.session.scalars(sa.select(Submission)).one()
    a_browser = portal_client(w.a)

    assert a_browser.get(f"/portal/sent/{submission.id}").status_code == 404
    assert "half a thought" not in page(a_browser.get("/portal/"))


def test_a_partner_cannot_change_the_sharing_of_the_other_partners_entries(
    two_couples, portal_client
):
    from clinic.records.services import add_from_portal

    w = two_couples
    entry = add_from_portal(w.b, "exception", {"date": "2025-03-01", "context": "B's own moment"},
                            shared=False)
    other_entry = add_from_portal(w.other.partners[0], "scale", {"value": 4}, shared=False)
    browser = portal_client(w.a)

    for url in (f"/portal/entries/exception/{entry.id}/sharing",
                f"/portal/entries/scale/{other_entry.id}/sharing"):
        assert browser.post(url, data={"shared": "1"}).status_code == 404
    db.session.expire_all()
    assert not db.session.get(ExceptionEntry, entry.id).shared_with_partner
    assert not db.session.get(ScalePlacement, other_entry.id).shared_with_partner
    assert "B's own moment" not in page(browser.get("/portal/entries"))


def test_an_entry_is_always_the_posting_partners_own(two_couples, portal_client):
    w = two_couples
    browser = portal_client(w.a)

    browser.post("/portal/add/exception", data=exception_form(
        partner_id=str(w.b.id), couple_id=str(w.other.id), source="session"))

    entry = db.session.scalars(sa.select(ExceptionEntry)).one()
    assert (entry.partner_id, entry.couple_id, entry.source) == (w.a.id, w.couple.id, "portal")


# --- writing: drafts, submitting, validation, nothing lost --------------------------------------


def test_a_draft_is_kept_across_visits_and_submitting_locks_it(family, assign, portal_client):
    assignment = assign(family.clinician, family.couple, "relationship-narrative", target="A")[0]
    url = f"/portal/exercises/{assignment.id}"
    browser = portal_client(family.a)

    saved = browser.post(url, data={"a-matters": "Being listened to", "action": "draft"})

    assert saved.status_code == 302 and saved.location == url
    assert "Draft saved" in page(browser.get("/portal/"))
    # Another day, another session: the draft is still there.
    later = portal_client(family.a)
    assert "Being listened to" in page(later.get(url))
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).status == "started"

    sent = later.post(url, data={**NARRATIVE, "action": "submit"})

    assert sent.status_code == 302 and sent.location == "/portal/"
    submission = db.session.scalars(sa.select(Submission)).one()
    assert submission.state == "submitted" and submission.answers["matters"] == NARRATIVE["a-matters"]
    assert later.get(url).location == f"/portal/sent/{submission.id}"
    # A second submission is refused and changes nothing.
    again = later.post(url, data={**NARRATIVE, "a-matters": "Changed my mind", "action": "submit"})
    # Refused, but what was typed comes back for the partner to keep.
    assert again.status_code == 409 and "Changed my mind" in page(again)
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).answers["matters"] == NARRATIVE["a-matters"]
    assert "Only your therapist can read this" in page(later.get(f"/portal/sent/{submission.id}"))
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.in_(["portal.draft", "portal.submit"]))
    ).all()
    assert actions == ["portal.draft", "portal.submit"]


def test_submitting_with_gaps_returns_422_with_every_word_kept(family, assign, portal_client):
    assignment = assign(family.clinician, family.couple, "relationship-narrative", target="A")[0]
    browser = portal_client(family.a)

    response = browser.post(f"/portal/exercises/{assignment.id}", data={
        "a-matters": "Trust, slowly rebuilt", "a-anything_else": "And the dog", "sharing": "shared",
        "action": "submit",
    })

    assert response.status_code == 422
    body = page(response)
    assert "Trust, slowly rebuilt" in body and "And the dog" in body
    assert "Please write something here before you submit." in body
    assert 'value="shared" checked' in body or re.search(r'checked[^>]*value="shared"', body)
    assert count(Submission) == 0


def test_a_draft_too_long_is_refused_but_kept(family, assign, portal_client):
    assignment = assign(family.clinician, family.couple, "relationship-narrative", target="A")[0]
    browser = portal_client(family.a)
    long_text = "word " * 1100

    response = browser.post(f"/portal/exercises/{assignment.id}",
                            data={"a-matters": long_text, "action": "draft"})

    assert response.status_code == 422
    assert long_text.strip() in page(response)
    assert "Please keep this to 5000 characters or fewer" in page(response)
    assert count(Submission) == 0


def test_a_bad_entry_returns_422_with_every_word_kept(family, portal_client):
    browser = portal_client(family.a)

    response = browser.post("/portal/add/exception", data=exception_form(
        context="He made tea without being asked", day="2025-02-30", **{"a-meaning": "We can"}))

    assert response.status_code == 422
    body = page(response)
    assert "He made tea without being asked" in body and "2025-02-30" in body and "We can" in body
    assert "Please enter a real date" in body
    assert count(ExceptionEntry) == 0


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_a_csrf_failure_keeps_the_text_and_offers_to_send_it_again(family, assign, portal_client):
    assignment = assign(family.clinician, family.couple, "relationship-narrative", target="A")[0]
    url = f"/portal/exercises/{assignment.id}"
    browser = portal_client(family.a)

    response = browser.post(
        url, data={**NARRATIVE, "action": "submit", "csrf_token": "stale"},
        headers={"Origin": "http://localhost"},
    )

    assert response.status_code == 400
    body = page(response)
    for text in NARRATIVE.values():
        assert text in body
    assert "Send again</button>" in body
    assert count(Submission) == 0
    # The fresh form carries a working token and everything typed: one press saves it.
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body))
    assert form["csrf_token"] != "stale" and form["action"] == "submit"
    resent = browser.post(url, data=form, headers={"Origin": "http://localhost"})
    assert resent.status_code == 302
    assert db.session.scalars(sa.select(Submission)).one().answers["longings"] == NARRATIVE["a-longings"]


@pytest.mark.config(WTF_CSRF_ENABLED=True)
@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"},
                                     {"Referer": "https://evil.example/form"}, {}])
def test_a_cross_site_post_shows_the_text_but_no_resend_button(
    family, assign, portal_client, headers
):
    assignment = assign(family.clinician, family.couple, "relationship-narrative", target="A")[0]
    browser = portal_client(family.a)

    response = browser.post(f"/portal/exercises/{assignment.id}",
                            data={**NARRATIVE, "action": "submit", "csrf_token": "forged"},
                            headers=headers)

    assert response.status_code == 400
    body = page(response)
    assert NARRATIVE["a-matters"] in body
    assert "Send again</button>" not in body
    assert f'action="/portal/exercises/{assignment.id}"' not in body
    assert count(Submission) == 0


def test_an_expired_portal_session_keeps_the_text(family, assign, portal_client, app):
    assignment = assign(family.clinician, family.couple, "relationship-narrative", target="A")[0]
    browser = portal_client(family.a)
    with browser.session_transaction() as session:
        session["portal"] = {**session["portal"], "seen": int(time.time())
                             - app.config["IDLE_TIMEOUT_SECONDS"] - 60}

    response = browser.post(f"/portal/exercises/{assignment.id}",
                            data={**NARRATIVE, "action": "submit"},
                            headers={"Origin": "http://localhost"})

    assert response.status_code == 401
    body = page(response)
    for text in NARRATIVE.values():
        assert text in body
    assert "open your link again" in body
    assert count(Submission) == 0
    # After opening the link again, "Send again" goes through.
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body))
    browser.post("/portal/continue", data={"token": browser.token})
    assert browser.post(f"/portal/exercises/{assignment.id}", data=form).status_code == 302
    assert db.session.scalars(sa.select(Submission)).one().state == "submitted"


# --- privacy between partners ------------------------------------------------------------------


def test_entries_are_private_by_default_and_sharing_is_the_writers_choice(family, portal_client):
    a_browser, b_browser = portal_client(family.a), portal_client(family.b)
    add = a_browser.get("/portal/add/exception")
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page(add)).group(1)
    assert re.search(r'value="private"[^>]*checked|checked[^>]*value="private"', page(add))

    a_browser.post("/portal/add/exception", data={
        "a-date": "2025-03-14", "a-context": "We laughed at the burnt toast", "idempotency_key": key,
    })  # no privacy field posted at all: private
    entry = db.session.scalars(sa.select(ExceptionEntry)).one()
    assert not entry.shared_with_partner
    assert "We laughed at the burnt toast" in page(a_browser.get("/portal/entries"))
    assert "We laughed at the burnt toast" not in page(b_browser.get("/portal/entries"))

    a_browser.post(f"/portal/entries/exception/{entry.id}/sharing", data={"shared": "1"})
    shared = page(b_browser.get("/portal/entries"))
    assert "We laughed at the burnt toast" in shared and "from your partner" in shared
    assert f"/portal/entries/exception/{entry.id}/sharing" not in shared  # B cannot toggle it

    a_browser.post(f"/portal/entries/exception/{entry.id}/sharing", data={"shared": "0"})
    assert "We laughed at the burnt toast" not in page(b_browser.get("/portal/entries"))
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("portal.exception_%"))
    ).all()
    assert actions == ["portal.exception_add", "portal.exception_share", "portal.exception_unshare"]


def test_a_scale_placement_shared_when_written_shows_on_the_other_partners_log(
    family, portal_client
):
    a_browser, b_browser = portal_client(family.a), portal_client(family.b)

    a_browser.post("/portal/add/scale", data={
        "a-value": "6", "a-one_higher": "Breakfast together", "sharing": "shared",
    })

    placement = db.session.scalars(sa.select(ScalePlacement)).one()
    assert placement.value == 6 and placement.shared_with_partner
    assert "Breakfast together" in page(b_browser.get("/portal/entries"))


def test_a_submission_shared_by_choice_is_readable_by_the_other_partner(
    two_couples, portal_client
):
    w = two_couples
    a_browser, b_browser = portal_client(w.a), portal_client(w.b)
    a_browser.post(f"/portal/exercises/{w.narrative_a.id}",
                   data={**NARRATIVE, "action": "submit", "sharing": "shared"})
    submission = db.session.scalars(sa.select(Submission)).one()
    assert submission.shared_with_partner

    home = page(b_browser.get("/portal/"))
    assert "Shared with you" in home and f"/portal/sent/{submission.id}" in home
    sent = b_browser.get(f"/portal/sent/{submission.id}")
    assert sent.status_code == 200
    assert NARRATIVE["a-longings"] in page(sent) and "Shared with you" in page(sent)
    # The other couple's partners see nothing of it.
    stranger = portal_client(w.other.partners[1])
    assert stranger.get(f"/portal/sent/{submission.id}").status_code == 404


def test_a_clinicians_reply_is_shown_to_its_partner_only(two_couples, portal_client):
    from clinic.exercises.services import reply

    w = two_couples
    a_browser, b_browser = portal_client(w.a), portal_client(w.b)
    a_browser.post(f"/portal/exercises/{w.narrative_a.id}",
                   data={**NARRATIVE, "action": "submit", "sharing": "shared"})
    submission = db.session.scalars(sa.select(Submission)).one()
    reply(w.clinician, submission.id, "Thank you for writing this, it matters.")

    assert "Your therapist replied" in page(a_browser.get("/portal/"))
    assert "Thank you for writing this, it matters." in page(a_browser.get(f"/portal/sent/{submission.id}"))
    # B may read A's shared answers, but the clinician's words to A stay A's.
    assert "Thank you for writing this" not in page(b_browser.get(f"/portal/sent/{submission.id}"))


# --- the running records from the portal -------------------------------------------------------


def test_posting_the_same_entry_twice_with_one_idempotency_key_stores_one_row(
    family, portal_client
):
    browser = portal_client(family.a)
    form = page(browser.get("/portal/add/exception"))
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', form).group(1)
    data = exception_form(idempotency_key=key)

    first = browser.post("/portal/add/exception", data=data)
    second = browser.post("/portal/add/exception", data=data)

    assert first.status_code == second.status_code == 302
    assert count(ExceptionEntry) == 1
    # Another visit to the form gets another key, so a second real entry is stored.
    other_key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"',
                          page(browser.get("/portal/add/exception"))).group(1)
    assert other_key != key
    browser.post("/portal/add/exception", data=exception_form(idempotency_key=other_key))
    assert count(ExceptionEntry) == 2


def test_an_oversized_idempotency_key_is_refused_not_a_server_error(family, portal_client):
    browser = portal_client(family.a)

    response = browser.post("/portal/add/exception", data=exception_form(idempotency_key="k" * 65))

    assert response.status_code == 422
    assert "We cooked together and nobody sulked" in page(response)
    assert count(ExceptionEntry) == 0


def test_an_entry_for_an_exception_log_assignment_counts_as_sent(family, assign, portal_client):
    log_a, _log_b = assign(family.clinician, family.couple, "exception-log")
    browser = portal_client(family.a)

    assert browser.get(f"/portal/exercises/{log_a.id}").location == (
        f"/portal/add/exception?assignment={log_a.id}"
    )
    browser.post(f"/portal/add/exception?assignment={log_a.id}", data=exception_form())

    db.session.expire_all()
    entry = db.session.scalars(sa.select(ExceptionEntry)).one()
    assignment = db.session.get(Assignment, log_a.id)
    assert entry.assignment_id == log_a.id and assignment.status == "submitted"
    submission = assignment.submission
    assert submission.answers == {"record_ids": [entry.id]}
    sent = browser.get(f"/portal/sent/{submission.id}")
    assert sent.status_code == 200 and "We cooked together and nobody sulked" in page(sent)


def test_the_home_page_shows_the_old_prompts_title_of_a_sent_exercise(
    family, assign, portal_client, monkeypatch
):
    from clinic.exercises import catalogue

    assignment = assign(family.clinician, family.couple, "hope-question", target="A")[0]
    browser = portal_client(family.a)
    browser.post(f"/portal/exercises/{assignment.id}", data={
        "a-a_little_better": "We'd have breakfast", "a-first_noticed": "A smile",
        "action": "submit",
    })
    submission = db.session.scalars(sa.select(Submission)).one()
    assert submission.state == "submitted", submission.answers
    old = catalogue.get("hope-question")
    renamed = old.__class__(**{**vars(old), "fields": tuple(
        f.__class__(**{**vars(f), "label": f"NEW PROMPT {n}"}) for n, f in enumerate(old.fields)
    )})
    monkeypatch.setitem(catalogue._VERSIONS, ("hope-question", 1), renamed)

    sent = page(browser.get(f"/portal/sent/{submission.id}"))

    assert old.fields[0].label in sent and "NEW PROMPT" not in sent
    assert "We'd have breakfast" in sent


def test_my_progress_shows_my_own_places_and_only_what_the_other_shared(family, portal_client):
    from clinic.records.services import add_from_portal

    add_from_portal(family.a, "scale", {"value": 5, "date": "2025-03-01"}, shared=False)
    add_from_portal(family.b, "scale", {"value": 9, "date": "2025-03-02",
                                        "one_higher": "B-PRIVATE-HOPE"}, shared=False)
    add_from_portal(family.b, "scale", {"value": 8, "date": "2025-03-03",
                                        "one_higher": "B-SHARED-HOPE"}, shared=True)

    body = page(portal_client(family.a).get("/portal/entries"))

    assert "your latest place is <strong>5</strong>" in body
    assert "B-PRIVATE-HOPE" not in body
    assert "B-SHARED-HOPE" in body and "from your partner" in body
    # The chart is A's alone: B's name and B's numbers are not drawn in it.
    chart = body[body.index('id="trend-h"'):body.index("</section>", body.index('id="trend-h"'))]
    assert "Wang Hao" not in chart and "Chen Jing" in chart
    assert "9" not in re.sub(r"<[^>]+>", "", chart.split("<details>")[-1])


def test_a_partner_can_note_the_conditions_of_a_moment(family, portal_client):
    browser = portal_client(family.a)

    refused = browser.post("/portal/add/exception", data=exception_form(
        context="", **{"tag-activity": "a walk by the river"}))
    assert refused.status_code == 422 and "a walk by the river" in page(refused)

    browser.post("/portal/add/exception", data=exception_form(**{"tag-activity": "a walk",
                                                                 "tag-bogus": "x"}))
    from clinic.records.models import ExceptionTag

    tag = db.session.scalars(sa.select(ExceptionTag)).one()
    assert (tag.category, tag.value, tag.added_by_partner_id) == ("activity", "a walk", family.a.id)
