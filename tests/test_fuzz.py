"""Malformed input to every form and every filter, as a clinician, an owner and a portal partner:
never a server error, and nothing typed (a planted canary) in the captured logs.

Every GET and POST route of the app's url_map is tried with its path ids pointing at real rows
(or at huge and negative ones), a query string of filter names with hostile values, and, for a
POST, the names of the fields its own page renders, filled the same way: NUL and other control
characters, numbers past any integer or float, far dates, very long text, Chinese. The profile is
small by default (FUZZ_EXAMPLES=60 per person over all routes, about a minute per database);
FUZZ_PER_ROUTE=1000 runs that many for every route in turn, and FUZZ_REPORT=file appends the
counts (person, method, endpoint, status class, examples). Routes that end the person's own
session or account are left out (they would only turn the rest of the run into anonymous
requests, which test_access covers).
"""

import logging
import os
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.timeutil import utcnow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
# The thorough run: this many examples for each route in turn (e.g. FUZZ_PER_ROUTE=1000).
PER_ROUTE = int(os.environ.get("FUZZ_PER_ROUTE", "0"))
# Where to append what was tried (person, method, endpoint, status counts): FUZZ_REPORT=path.
REPORT = os.environ.get("FUZZ_REPORT")
CANARY = "Canary7f3a"
SKIP = {
    "static", "auth.logout", "portal.leave", "portal.quick_exit", "practice.edit",
    "practice.reset_two_factor", "auth.password", "auth.two_factor", "auth.recovery_codes",
    "portal.continue_", "auth.login", "auth.code", "accounts.invitation", "accounts.reset",
    "accounts.reset_request", "portal.open", "couples.revoke_link", "couples.issue_link",
}
FILTERS = ("q", "page", "since", "until", "user_id", "couple_id", "stage", "status", "partner_id",
           "clinician_id", "identified", "assignment", "partner", "left", "fmt")

NASTY = st.one_of(
    st.sampled_from([
        "", "0", "-1", "1", "99999999999999999999", "-99999999999999999999", "1e309", "-1e309",
        "nan", "inf", "9" * 400, "0001-01-01", "9999-12-31", "2026-02-30", "10000-01-01",
        "\x00", f"{CANARY}\x00", f"{CANARY}\x01\x7f\x9f", "\x00" * 50, "陈静\x00王浩", "%00",
        "../../etc/passwd", "<script>", "' OR 1=1 --", "y", "on", "A", "B", "both", "shared",
        "private", "submit", "check", "exception", "scale", "zh_Hans", "en",
    ]),
    st.text(max_size=40).map(lambda t: f"{CANARY}{t}"),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(lambda d: d.isoformat()),
)


@pytest.fixture
def world(app, make_practice, make_user, make_couple, make_link, assign, log_exception, mark_session):
    practice = make_practice()
    owner = make_user(practice, role="owner")
    clinician = make_user(practice)
    couple = make_couple(clinician)
    a, b = couple.partners
    assignment = assign(clinician, couple, "relationship-narrative")[0]
    entry = log_exception(a, utcnow().date() - timedelta(days=2))
    note = mark_session(couple, utcnow().date() - timedelta(days=1), clinician)
    return SimpleNamespace(
        owner=owner, clinician=clinician, couple=couple, a=a, b=b,
        ids={"couple_id": couple.id, "partner_id": a.id, "assignment_id": assignment.id,
             "entry_id": entry.id, "record_id": entry.id, "note_id": note.id, "user_id": clinician.id,
             "item_id": entry.id, "submission_id": 1, "tag_id": 1, "supervision_id": 1},
    )


def _routes(app) -> list[tuple[str, str, object]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP:
            continue
        for method in ("GET", "POST"):
            if method in rule.methods:
                found.append((method, rule.endpoint, rule))
    return sorted(found, key=lambda item: (item[1], item[0]))


def _path(rule, ids: dict, draw) -> str:
    values = {}
    for name, converter in rule._converters.items():
        options = getattr(converter, "items", None)
        if options:
            values[name] = draw(st.sampled_from(sorted(options)))
        elif "Int" in type(converter).__name__:
            values[name] = draw(st.sampled_from(
                [ids.get(name, 1), ids.get(name, 1), 2**31 - 1, 2**31, 0, 99999999999999999999]
            ))
        else:
            values[name] = draw(NASTY.filter(lambda v: "/" not in v and v))
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<[^>]*:?{name}>", str(value), path)
    return path


def _field_names(browser, path: str) -> list[str]:
    """The names of the inputs the page at `path` renders (what its form posts)."""
    response = browser.get(path)
    if response.status_code != 200 or "text/html" not in response.content_type:
        return []
    names = re.findall(r'name="([^"]+)"', response.get_data(as_text=True))
    return sorted({n for n in names if n != "csrf_token"})


def _fuzz(routes, browser, world, caplog, data, seen):
    method, endpoint, rule = data.draw(st.sampled_from(routes), label="route")
    path = _path(rule, world.ids, data.draw)
    query = data.draw(st.dictionaries(st.sampled_from(FILTERS), NASTY, max_size=4), label="query")
    form = {}
    if method == "POST":
        names = _field_names(browser, path) or list(FILTERS)
        form = data.draw(st.dictionaries(st.sampled_from(names), NASTY, max_size=12), label="form")
    with caplog.at_level(logging.INFO):
        response = browser.open(path, method=method, query_string=query, data=form)
    key = (method, endpoint, response.status_code // 100 * 100)
    seen[key] = seen.get(key, 0) + 1
    assert response.status_code < 500, (method, path, query, form, caplog.text[-3000:])
    assert CANARY not in caplog.text, (method, path)


def _run(app, browser, world, caplog, person: str):
    routes, seen = _routes(app), {}

    def fuzz(chosen, examples):
        @settings(max_examples=examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def run(data):
            _fuzz(chosen, browser, world, caplog, data, seen)

        run()

    try:
        if PER_ROUTE:
            for route in routes:
                fuzz([route], PER_ROUTE)
        else:
            fuzz(routes, EXAMPLES)
    finally:
        if REPORT:
            with open(REPORT, "a", encoding="utf-8") as out:
                for (method, endpoint, status), n in sorted(seen.items()):
                    out.write(f"{person}\t{method}\t{endpoint}\t{status}\t{n}\n")


@pytest.mark.config(PROPAGATE_EXCEPTIONS=False)
def test_a_clinician_sending_anything_gets_no_server_error(app, world, signed_in, caplog):
    _run(app, signed_in(world.clinician), world, caplog, "clinician")


@pytest.mark.config(PROPAGATE_EXCEPTIONS=False)
def test_an_owner_sending_anything_gets_no_server_error(app, world, signed_in, caplog):
    _run(app, signed_in(world.owner), world, caplog, "owner")


@pytest.mark.config(PROPAGATE_EXCEPTIONS=False)
def test_a_partner_sending_anything_gets_no_server_error(app, world, portal_client, caplog):
    _run(app, portal_client(world.a), world, caplog, "partner")
