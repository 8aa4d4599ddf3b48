"""Who reaches which route: every route x every kind of visitor, and the status each one gets.

HOW TO ADD A ROUTE (test_every_route_is_in_the_matrix fails until you do):
  1. Add a row to TABLE for each method the route answers (GET and/or POST), giving the status
     every visitor gets, in the column order of ROLES. POSTs are sent with an empty form.
  2. If its URL has a parameter not yet in PARAMS, say there how to fill it from the world
     (build what it needs in the `world` fixture). Point it at something of practice P that
     clinician C1 may open, so that the matrix shows who else can.
  Outside a visitor's reach the answer is 404, never 403: nothing may tell a stranger that a
  record exists. A 302 for `anonymous` must lead to the sign-in page.
  Routes that need roles this world lacks (a partner's portal session, say) may instead be
  covered by a matrix of their own, listed in ELSEWHERE, which must check every route it claims.

The world: practice P with owner O, clinician C1 (primary clinician of couple X), clinician C2
(no couples) and supervisor S; practice Q with clinician Z and owner QO.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest

from clinic.couples.services import CoupleInput, PartnerInput, create_couple
from clinic.extensions import db

PASSWORD = "correct horse battery"

ROLES = (
    "anonymous",  # not signed in
    "owner",  # O, owner of P
    "clinician",  # C1, X is on their caseload
    "clinician_not_theirs",  # C2, a clinician of P without X
    "other_practice",  # Z, a clinician of Q
    "other_owner",  # QO, the owner of Q
    "supervisor",  # S, supervisor in P: figures only, no charts
)

# fmt: off
TABLE: dict[tuple[str, str], tuple[int, ...]] = {
    # (endpoint, method)             anon  owner  C1  C2   Z   QO   S
    ("index", "GET"):                (302, 302, 302, 302, 302, 302, 302),
    ("auth.login", "GET"):           (200, 302, 302, 302, 302, 302, 302),
    ("auth.login", "POST"):          (200, 302, 302, 302, 302, 302, 302),
    ("auth.logout", "POST"):         (302, 302, 302, 302, 302, 302, 302),
    ("auth.password", "GET"):        (302, 200, 200, 200, 200, 200, 200),
    # What one sent after one's session ended (nothing kept here: on to the start page).
    ("auth.kept_post", "GET"):       (302, 302, 302, 302, 302, 302, 302),
    ("auth.kept_post", "POST"):      (302, 302, 302, 302, 302, 302, 302),
    ("auth.password", "POST"):       (302, 200, 200, 200, 200, 200, 200),
    # One's own language (an empty form changes nothing and goes back to the account page).
    ("auth.language", "POST"):       (302, 302, 302, 302, 302, 302, 302),
    # The code step without a password step first sends everyone to sign in.
    ("auth.code", "GET"):            (302, 302, 302, 302, 302, 302, 302),
    ("auth.code", "POST"):           (302, 302, 302, 302, 302, 302, 302),
    # One's own second factor: setting it up (an empty code is refused on the page).
    ("auth.two_factor", "GET"):      (302, 200, 200, 200, 200, 200, 200),
    ("auth.two_factor", "POST"):     (302, 200, 200, 200, 200, 200, 200),
    # Nobody here has a second factor yet: new recovery codes send them to set one up.
    ("auth.recovery_codes", "POST"): (302, 302, 302, 302, 302, 302, 302),
    # Mailed links: anyone holding the link's token (an empty password is refused on the page).
    ("accounts.reset_request", "GET"):  (200, 200, 200, 200, 200, 200, 200),
    ("accounts.reset_request", "POST"): (200, 200, 200, 200, 200, 200, 200),
    ("accounts.invitation", "GET"):  (200, 200, 200, 200, 200, 200, 200),
    ("accounts.invitation", "POST"): (200, 200, 200, 200, 200, 200, 200),
    ("accounts.reset", "GET"):       (200, 200, 200, 200, 200, 200, 200),
    ("accounts.reset", "POST"):      (200, 200, 200, 200, 200, 200, 200),
    ("couples.index", "GET"):        (302, 200, 200, 200, 200, 200, 404),
    ("couples.create", "GET"):       (302, 200, 200, 200, 200, 200, 404),
    ("couples.create", "POST"):      (302, 200, 200, 200, 200, 200, 404),
    ("couples.detail", "GET"):       (302, 200, 200, 404, 404, 404, 404),
    ("couples.edit", "GET"):         (302, 200, 200, 404, 404, 404, 404),
    ("couples.edit", "POST"):        (302, 200, 200, 404, 404, 404, 404),
    ("couples.stage", "POST"):       (302, 302, 302, 404, 404, 404, 404),
    ("couples.status", "POST"):      (302, 302, 302, 404, 404, 404, 404),
    ("practice.home", "GET"):        (302, 200, 200, 200, 200, 200, 200),
    ("practice.team", "GET"):        (302, 200, 404, 404, 404, 200, 404),
    ("practice.create", "GET"):      (302, 200, 404, 404, 404, 200, 404),
    ("practice.create", "POST"):     (302, 200, 404, 404, 404, 200, 404),
    # user_id is C1: only P's owner may open or change them. An empty POST re-saves as is.
    ("practice.edit", "GET"):        (302, 200, 404, 404, 404, 404, 404),
    ("practice.edit", "POST"):       (302, 302, 404, 404, 404, 404, 404),
    # C1 has a password and no second factor: the owner is told so, everyone else gets 404.
    ("practice.resend_invitation", "POST"): (302, 302, 404, 404, 404, 404, 404),
    ("practice.reset_two_factor", "POST"):  (302, 302, 404, 404, 404, 404, 404),
    ("audit.index", "GET"):          (302, 200, 404, 404, 404, 200, 404),
    # The owner's mail page (reply-to and undelivered mail); an empty POST clears the reply-to.
    ("mail.index", "GET"):           (302, 200, 404, 404, 404, 200, 404),
    ("mail.index", "POST"):          (302, 302, 404, 404, 404, 302, 404),
    # Reports: owners and supervisors; clinicians (whose charts these are) get none.
    ("reports.index", "GET"):        (302, 200, 404, 404, 404, 200, 200),
    # Without dates the download sends the reader back to the form.
    ("reports.download", "GET"):     (302, 302, 404, 404, 404, 302, 302),
    ("reports.supervision", "GET"):  (302, 200, 404, 404, 404, 200, 404),
    ("reports.supervision", "POST"): (302, 200, 404, 404, 404, 200, 404),
    # note_id is a draft note of X by C1 with no sections: signing it leaves it a draft.
    ("notes.new", "GET"):            (302, 200, 200, 404, 404, 404, 404),
    ("notes.new", "POST"):           (302, 422, 422, 404, 404, 404, 404),
    ("notes.detail", "GET"):         (302, 200, 200, 404, 404, 404, 404),
    ("notes.edit", "GET"):           (302, 200, 200, 404, 404, 404, 404),
    ("notes.edit", "POST"):          (302, 422, 422, 404, 404, 404, 404),
    ("notes.sign", "POST"):          (302, 302, 302, 404, 404, 404, 404),
    ("notes.addendum", "POST"):      (302, 422, 422, 404, 404, 404, 404),
    ("notes.pdf", "GET"):            (302, 302, 302, 404, 404, 404, 404),
    # Checks text only and reaches no record: any clinician gets 400 for an empty post.
    ("notes.language", "POST"):      (302, 400, 400, 400, 400, 400, 404),
    # supervision_id is S supervising C1, in P.
    ("reports.remove_supervision", "POST"): (302, 302, 404, 404, 404, 404, 404),
    # Practice settings (zone, hours, reminder defaults): owners only; an empty post is refused.
    ("practice.settings", "GET"):    (302, 200, 404, 404, 404, 200, 404),
    ("practice.settings", "POST"):   (302, 422, 404, 404, 404, 422, 404),
    # The inbox: each clinician's own caseload (the owner's: the practice). item_id is a scale
    # placement partner A of X sent from the portal.
    ("inbox.index", "GET"):          (302, 200, 200, 200, 200, 200, 404),
    ("inbox.read", "POST"):          (302, 302, 302, 404, 404, 404, 404),
    ("inbox.read_all", "POST"):      (302, 302, 302, 302, 302, 302, 404),
    # A couple's reminder switch (an empty post changes nothing).
    ("reminders.couple", "POST"):    (302, 302, 302, 404, 404, 404, 404),
    # The daily digest switch (an empty post turns it off); its form is on the account page.
    ("digest.setting", "POST"):      (302, 302, 302, 302, 302, 302, 404),
    # The quick exit's neutral page: an everyday page anyone may see; it reads nothing.
    ("away.today", "GET"):           (200, 200, 200, 200, 200, 200, 200),
    # The clinician-only safety flag: an empty post is refused with a message on the couple page.
    ("safety.set_flag", "POST"):     (302, 422, 422, 404, 404, 404, 404),
    ("safety.clear_flag", "POST"):   (302, 422, 422, 404, 404, 404, 404),
    # The clinician looked at the danger words found in the couple's text (none here).
    ("safety.signals_seen", "POST"): (302, 302, 302, 404, 404, 404, 404),
    # Private check-ins: offering one to partner A of X (a second offer is refused with a
    # message), and reading A's sent one.
    ("safety.offer", "POST"):        (302, 302, 302, 404, 404, 404, 404),
    ("safety.checkin", "GET"):       (302, 200, 200, 404, 404, 404, 404),
    # The check-in's questions and support contacts: owners only (empty: the shipped default).
    ("safety.checkin_settings", "POST"): (302, 302, 404, 404, 404, 302, 404),
    # Letting a held share through: X has no flag, so nothing is held (404 even for C1).
    ("safety.release", "POST"):      (302, 404, 404, 404, 404, 404, 404),
    # The practice's safety settings: owners only (an empty post keeps the defaults).
    ("safety.settings", "GET"):      (302, 200, 404, 404, 404, 200, 404),
    ("safety.settings", "POST"):     (302, 302, 404, 404, 404, 302, 404),
}
# fmt: on

# Matrix file -> the endpoints (a trailing dot: a whole blueprint) whose access it proves.
ELSEWHERE = {
    "tests/portal/test_access.py": (
        "portal.", "exercises.", "records.", "couples.issue_link", "couples.revoke_link",
        "couples.email_link", "couples.link_mail",
    ),
}

EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    route: dict(zip(ROLES, codes, strict=True)) for route, codes in TABLE.items()
}


@dataclass
class World:
    users: dict  # role -> User (no entry for anonymous)
    couple: object  # X
    secrets: dict  # role -> strings that must never appear in a page that role is shown
    supervision: object = None  # S supervises C1
    note: object = None  # a draft note of X by C1, without sections
    placement: object = None  # a scale placement partner A of X sent from the portal
    tokens: dict | None = None  # endpoint -> a working link token: an invitee's, C2's reset
    checkin: object = None  # partner A of X's private safety check-in, sent


# How to fill each URL parameter from the world.
PARAMS = {
    "couple_id": lambda w: w.couple.id,
    "user_id": lambda w: w.users["clinician"].id,
    "fmt": lambda w: "csv",
    "supervision_id": lambda w: w.supervision.id,
    "note_id": lambda w: w.note.id,
    "kind": lambda w: "scale",
    "item_id": lambda w: w.placement.id,
    # A parameter whose value depends on the route maps endpoint -> value.
    "token": lambda w: w.tokens,
    "partner_id": lambda w: w.couple.partners[0].id,
    "checkin_id": lambda w: w.checkin.id,
}


@pytest.fixture
def world(make_practice, make_user) -> World:
    p = make_practice("Practice Pq")
    q = make_practice("Practice Qz")
    users = {
        "owner": make_user(p, role="owner"),
        "clinician": make_user(p, name="Clinician One Pq", email="c1.pq@example.org"),
        "clinician_not_theirs": make_user(p),
        "supervisor": make_user(p, role="supervisor"),
        "other_practice": make_user(q),
        "other_owner": make_user(q, role="owner"),
    }
    couple = create_couple(users["clinician"], CoupleInput(
        case_label="Matrix Couple Xq",
        partner_a=PartnerInput("Partner Alpha Xq", email="alpha.xq@example.org"),
        partner_b=PartnerInput("Partner Beta Xq"),
    ))
    chart = ["Matrix Couple Xq", "Partner Alpha Xq", "Partner Beta Xq", "alpha.xq@example.org"]
    practice = ["Practice Pq", "Clinician One Pq", "c1.pq@example.org"]
    secrets = {
        "anonymous": chart + practice,
        "owner": [],
        "clinician": [],
        "clinician_not_theirs": chart,
        "supervisor": chart,
        "other_practice": chart + practice,
        "other_owner": chart + practice,
    }
    from datetime import date

    from clinic.notes.services import NoteInput, create_note
    from clinic.records.services import add_from_portal
    from clinic.reports.supervision import add_supervision

    supervision = add_supervision(users["owner"], users["supervisor"].id, users["clinician"].id)
    note = create_note(users["clinician"], couple.id, NoteInput(session_date=date(2026, 11, 20)))
    placement = add_from_portal(couple.partners[0], "scale", {"date": "2026-11-19", "value": 6},
                                shared=False)
    from clinic.safety import checkins

    checkin = checkins.offer_checkin(users["clinician"], couple.id, couple.partners[0].id)
    checkins.submit_checkin(couple.partners[0], checkin.id, {"anything_else": "CHECKIN-Q-OF-ALPHA"})
    for role in ("clinician_not_theirs", "supervisor", "other_practice", "other_owner", "anonymous"):
        secrets[role] = [*secrets[role], "CHECKIN-Q-OF-ALPHA"]
    return World(users, couple, secrets, supervision, note, placement, _link_tokens(users), checkin)


def _link_tokens(users: dict) -> dict:
    """A pending invitation (of a new member of P) and a reset link of C2, by their pages."""
    from clinic.accounts import services as accounts
    from clinic.domain import TokenPurpose

    invitee = accounts.invite_member(
        users["owner"], accounts.Invitation("invitee.pq@example.org", "Invitee Pq", "clinician")
    )
    links = {
        "accounts.invitation": accounts._issue(invitee, TokenPurpose.INVITATION, actor=None),
        "accounts.reset": accounts._issue(users["clinician_not_theirs"], TokenPurpose.RESET,
                                          actor=None),
    }
    db.session.commit()
    return {endpoint: link.rsplit("/", 1)[1] for endpoint, link in links.items()}


def _routes(app) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods & {"GET", "POST"}
    }


def _url(app, endpoint: str, world: World) -> str:
    [rule] = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    missing = set(rule.arguments) - PARAMS.keys()
    assert not missing, f"{endpoint}: add {sorted(missing)} to PARAMS in tests/test_access.py"
    values = {arg: PARAMS[arg](world) for arg in rule.arguments}
    values = {arg: v[endpoint] if isinstance(v, dict) else v for arg, v in values.items()}
    return rule.build(values)[1]


def _covered_elsewhere(endpoint: str) -> bool:
    root = Path(__file__).resolve().parent.parent
    return any(
        endpoint == name or (name.endswith(".") and endpoint.startswith(name))
        for path, names in ELSEWHERE.items() if (root / path).exists()
        for name in names
    )


def test_every_route_is_in_the_matrix(app):
    routes = _routes(app)

    missing = sorted(r for r in routes - EXPECTED.keys() if not _covered_elsewhere(r[0]))
    stale = sorted(EXPECTED.keys() - routes)

    assert not missing, (
        f"Routes missing from the access matrix (see the top of tests/test_access.py): {missing}"
    )
    assert not stale, f"The access matrix lists routes that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, world, login, role):
    routes = sorted(EXPECTED.keys() & _routes(app))
    assert len(routes) >= len(TABLE) - 1  # the matrix is not silently empty
    mismatches = []
    for endpoint, method in routes:
        client = app.test_client()
        if role != "anonymous":
            login(world.users[role], target=client)
        url = _url(app, endpoint, world)

        response = client.open(url, method=method, data={} if method == "POST" else None)

        expected = EXPECTED[(endpoint, method)][role]
        where = f"{method} {url} ({endpoint})"
        if response.status_code == 403:  # whatever TABLE says: a 403 tells that the record exists
            mismatches.append(f"{where}: answered 403, where the rule is 404")
            continue
        if response.status_code != expected:
            mismatches.append(f"{where}: expected {expected}, got {response.status_code}")
            continue
        if role == "anonymous" and expected == 302 and not response.location.startswith(
            "/auth/login"
        ):
            mismatches.append(f"{where}: sent to {response.location}, not the sign-in page")
        body = response.get_data(as_text=True)
        leaked = [s for s in world.secrets[role] if s in body]
        if leaked:
            mismatches.append(f"{where}: shows {leaked}")

    assert not mismatches, f"{role}:\n  " + "\n  ".join(mismatches)
