"""Who reaches what: every portal, exercises and records route (and the link routes), for every role.

A route of those blueprints that is missing from MATRIX fails `test_every_route_is_in_the_matrix`.
Outcomes:
  ok:<status>  the request is served;
  404          refused as if nothing were there;
  login        anonymous or portal-only browser sent to sign in (302 to /auth/login);
  ended        a GET without a portal session (302 to /portal/ended);
  expired      a POST without a portal session (401: the text is kept to send again);
  copy         a clinician form posted with text by a browser signed in to no account (401: the
               text is shown to copy; nothing is kept for anyone); without text, login.
Every refused request must leave the records exactly as they were, and no response to anybody
but partner A, the couple's clinician and the owner may carry partner A's private words.
"""

import html
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from clinic.exercises.models import Assignment, Submission
from clinic.exercises.services import save_answers
from clinic.extensions import db
from clinic.mail.models import OutboundMessage
from clinic.portal.models import PortalLink
from clinic.records import services as records
from clinic.records.models import ExceptionEntry, ExceptionTag, ScalePlacement
from clinic.safety import checkins
from clinic.safety.models import SafetyCheckin

ROLES = (
    "anonymous", "partner_a", "partner_b", "other_partner",
    "clinician", "colleague", "foreign_clinician", "supervisor", "owner",
)
PARTNERS = {"partner_a", "partner_b", "other_partner"}
SECRET_ANSWER = "SECRET-ANSWER-OF-A"
SECRET_ENTRY = "SECRET-ENTRY-OF-A"
SEES_A = {"partner_a", "clinician", "owner"}


def _no_portal_session(method: str) -> str:
    return "ended" if method == "GET" else "expired"


def portal_own(ok: str):
    """A route on partner A's own material."""

    def expect(role, method):
        if role == "partner_a":
            return ok
        if role in PARTNERS:
            return "404"
        return _no_portal_session(method)

    return expect


def portal_any(ok: str):
    """A route every partner has in their own portal."""

    def expect(role, method):
        return ok if role in PARTNERS else _no_portal_session(method)

    return expect


def clinical(ok: str, *, any_clinician: bool = False):
    """A clinician route on the couple (or, with any_clinician, on the user's own caseload)."""

    def expect(role, method):
        if role == "anonymous" or role in PARTNERS:
            return "login" if method == "GET" else "copy"
        if role in ("clinician", "owner"):
            return ok
        if any_clinician and role in ("colleague", "foreign_clinician"):
            return ok
        return "404"

    return expect


def everyone(outcome: str):
    return lambda role, method: outcome


NARRATIVE = {"a-matters": "x", "a-struggles": "y", "a-longings": "z", "action": "submit"}
MOMENT = {"a-date": "2025-03-14", "a-context": "We walked", "partner_id": "{a}"}

# (endpoint, method): (url, form data, expected outcome by role)
MATRIX = {
    ("portal.open", "GET"): ("/portal/l/{token_a}", None, everyone("ok:200")),
    ("portal.continue_", "POST"): ("/portal/continue", {"token": "not-a-token"}, everyone("404")),
    ("portal.ended", "GET"): ("/portal/ended", None, everyone("ok:200")),
    # Leaving needs no live session: it just ends whatever session there is.
    ("portal.leave", "POST"): ("/portal/leave", {}, everyone("ok:302")),
    # The quick exit needs no live session either, and always lands on the neutral page.
    ("portal.quick_exit", "POST"): ("/portal/exit", {}, everyone("ok:303")),
    ("portal.home", "GET"): ("/portal/", None, portal_any("ok:200")),
    # Partner A's private safety check-in: theirs alone (sent once; it then leaves the portal).
    ("portal.checkin", "GET"): ("/portal/checkin/{checkin_a}", None, portal_own("ok:200")),
    ("portal.checkin", "POST"): ("/portal/checkin/{checkin_a}", {"safe_at_home": "yes"},
                                 portal_own("ok:302")),
    ("portal.entries", "GET"): ("/portal/entries", None, portal_any("ok:200")),
    ("portal.exercise", "GET"): ("/portal/exercises/{narrative_a}", None, portal_own("ok:200")),
    ("portal.exercise", "POST"): ("/portal/exercises/{narrative_a}", NARRATIVE, portal_own("ok:302")),
    ("portal.submission", "GET"): ("/portal/sent/{submission_a}", None, portal_own("ok:200")),
    ("portal.add_record", "GET"): ("/portal/add/exception?assignment={log_a}", None,
                                   portal_own("ok:200")),
    ("portal.add_record", "POST"): ("/portal/add/exception?assignment={log_a}", MOMENT,
                                    portal_own("ok:302")),
    ("portal.sharing", "POST"): ("/portal/entries/exception/{entry_a}/sharing", {"shared": "1"},
                                 portal_own("ok:302")),
    ("portal.reminders_pause", "POST"): ("/portal/reminders", {"paused": "1"}, portal_any("ok:302")),
    # Anyone may pick a language: a partner's is kept on the partner, anyone else's in their session.
    ("portal.language", "POST"): ("/portal/language", {"locale": "zh_Hans"}, everyone("ok:302")),
    ("exercises.assign", "GET"): ("/exercises/couples/{couple}/assign", None, clinical("ok:200")),
    ("exercises.assign", "POST"): (
        "/exercises/couples/{couple}/assign",
        {"rows-0-key": "coping-list", "rows-0-pick": "y", "rows-0-target": "A"}, clinical("ok:302"),
    ),
    ("exercises.withdraw", "POST"): ("/exercises/assignments/{untouched_a}/withdraw", {},
                                     clinical("ok:302")),
    ("exercises.submission", "GET"): ("/exercises/submissions/{submission_a}", None,
                                      clinical("ok:200")),
    ("exercises.review", "POST"): ("/exercises/submissions/{submission_a}/review", {},
                                   clinical("ok:302")),
    ("exercises.reply", "POST"): ("/exercises/submissions/{submission_a}/reply",
                                  {"reply": "Thank you"}, clinical("ok:302")),
    ("records.create", "GET"): ("/records/couples/{couple}/exception/new", None, clinical("ok:200")),
    ("records.create", "POST"): ("/records/couples/{couple}/exception/new", MOMENT,
                                 clinical("ok:302")),
    ("records.timeline", "GET"): ("/records/couples/{couple}/exceptions", None, clinical("ok:200")),
    ("records.tag", "POST"): ("/records/couples/{couple}/exceptions/{entry_a}/tags",
                              {"category": "place", "value": "at home"}, clinical("ok:302")),
    ("records.untag", "POST"): ("/records/couples/{couple}/tags/{tag_a}/remove", {},
                                clinical("ok:302")),
    ("couples.issue_link", "POST"): ("/couples/{couple}/partners/{a}/link", {"valid_days": "30"},
                                     clinical("ok:200")),
    ("couples.revoke_link", "POST"): ("/couples/{couple}/partners/{a}/link/revoke", {},
                                      clinical("ok:302")),
    ("couples.email_link", "POST"): ("/couples/{couple}/partners/{a}/link/email",
                                     {"token": "{token_a}"}, clinical("ok:302")),
    ("couples.link_mail", "GET"): ("/couples/{couple}/partners/{a}/link/mail", None,
                                   clinical("ok:200")),
}

PREFIXES = ("portal.", "exercises.", "records.")
EXTRA = {"couples.issue_link", "couples.revoke_link", "couples.email_link", "couples.link_mail"}


def test_every_route_is_in_the_matrix(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(PREFIXES) or rule.endpoint in EXTRA
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }

    assert routes - MATRIX.keys() == set(), "routes without an access rule in MATRIX"
    assert MATRIX.keys() - routes == set(), "MATRIX rules for routes that no longer exist"


@pytest.fixture
def world(built_once, make_practice, make_user, make_couple, assign, make_link):
    """One couple with a piece of every kind of record; built once per test process (the matrix
    runs about 300 cases on it) and given back to each test as a fresh copy."""

    def build() -> dict:
        return _world(make_practice, make_user, make_couple, assign, make_link)

    return SimpleNamespace(**built_once("portal access world", build))


def _world(make_practice, make_user, make_couple, assign, make_link) -> dict:
    practice = make_practice()
    clinician = make_user(practice)
    couple = make_couple(clinician, a="Chen Jing", b="Wang Hao")
    other = make_couple(clinician, a="Ola Nordmann", b="Kari Nordmann")
    a, b = couple.partners
    narrative_a, _narrative_b = assign(clinician, couple, "relationship-narrative")
    hope_a = assign(clinician, couple, "hope-question", target="A")[0]
    untouched_a = assign(clinician, couple, "coping-list", target="A")[0]
    log_a, _log_b = assign(clinician, couple, "exception-log")
    submission = save_answers(a, hope_a.id, {"a_little_better": SECRET_ANSWER, "first_noticed": ""},
                              submit=True, shared=False)
    entry = records.add_from_portal(
        a, "exception", {"date": "2025-03-01", "context": SECRET_ENTRY}, shared=False
    )
    records.tag_entry(clinician, couple.id, entry.id, "time", "evening")
    tag = db.session.scalars(sa.select(ExceptionTag)).one()
    token_a = make_link(a).token
    checkin_a = checkins.offer_checkin(clinician, couple.id, a.id)
    return dict(
        practice=practice, clinician=clinician, couple=couple, other=other, a=a, b=b,
        ids={
            "couple": couple.id, "a": a.id, "narrative_a": narrative_a.id, "log_a": log_a.id,
            "untouched_a": untouched_a.id, "submission_a": submission.id, "entry_a": entry.id,
            "tag_a": tag.id, "token_a": token_a, "checkin_a": checkin_a.id,
        },
        token_a=token_a,
    )


@pytest.fixture
def browser_for(app, world, make_user, make_practice, signed_in, portal_client, make_link):
    def make(role):
        if role == "anonymous":
            return app.test_client()
        if role == "partner_a":
            # Partner A's session comes from the link in the world (not a re-issued one).
            browser = app.test_client()
            response = browser.post("/portal/continue", data={"token": world.token_a})
            assert response.status_code == 302
            return browser
        if role == "partner_b":
            return portal_client(world.b)
        if role == "other_partner":
            return portal_client(world.other.partners[0])
        users = {
            "clinician": lambda: world.clinician,
            "colleague": lambda: make_user(world.practice),
            "foreign_clinician": lambda: make_user(make_practice()),
            "supervisor": lambda: make_user(world.practice, role="supervisor"),
            "owner": lambda: make_user(world.practice, role="owner"),
        }
        return signed_in(users[role]())

    return make


def fingerprint() -> tuple:
    """Everything a request could change in the records, except the audit trail."""
    db.session.expire_all()

    def all_of(model, *columns):
        return tuple(db.session.execute(sa.select(model.id, *columns).order_by(model.id)).all())

    return (
        all_of(Assignment, Assignment.status),
        all_of(Submission, Submission.state, Submission.reviewed_at, Submission.reply,
               Submission.shared_with_partner, Submission.answers),
        all_of(ExceptionEntry, ExceptionEntry.shared_with_partner),
        all_of(ScalePlacement, ScalePlacement.shared_with_partner),
        all_of(ExceptionTag, ExceptionTag.value),
        all_of(PortalLink, PortalLink.revoked_at),
        all_of(OutboundMessage, OutboundMessage.status),
        all_of(SafetyCheckin, SafetyCheckin.state, SafetyCheckin.answers),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]}-{r[1]}")
def test_access(world, browser_for, route, role):
    endpoint, method = route
    url, data, expect = MATRIX[route]
    outcome = expect(role, method)
    if outcome == "copy" and not data:
        outcome = "login"  # nothing typed: the sign-in page
    browser = browser_for(role)
    url = url.format(**world.ids)
    if data is not None:
        data = {k: v.format(**world.ids) for k, v in data.items()}
    before = fingerprint()

    response = browser.open(url, method=method, data=data)

    status, location = response.status_code, response.headers.get("Location", "")
    if outcome.startswith("ok:"):
        assert status == int(outcome[3:]), (endpoint, role, status, location)
    elif outcome == "404":
        assert status == 404, (endpoint, role, status, location)
    elif outcome == "login":
        assert status == 302 and location.startswith("/auth/login"), (endpoint, role, status)
    elif outcome == "ended":
        assert status == 302 and location == "/portal/ended", (endpoint, role, status, location)
    elif outcome in ("expired", "copy"):
        assert status == 401, (endpoint, role, status)
    else:  # pragma: no cover
        raise AssertionError(outcome)

    if not outcome.startswith("ok:") or method == "GET":
        assert fingerprint() == before, f"{endpoint} {method} as {role} changed the records"
    body = html.unescape(response.get_data(as_text=True))
    if role not in SEES_A:
        assert SECRET_ANSWER not in body and SECRET_ENTRY not in body, (endpoint, role)
