"""Malformed input to every form and every filter, as a clinician, an owner and a portal partner:
never a server error, nothing typed (a planted canary) in the captured logs, and nothing typed lost
when a form is answered with a message.

Every GET and POST route of the app's url_map is tried with its path ids pointing at real rows
(or at huge and negative ones), a query string of filter names with hostile values, and, for a
POST, the names of the fields its own page renders, filled the same way: NUL and other control
characters, numbers past any integer or float, far dates, very long text, Chinese. The profile is
small by default (FUZZ_EXAMPLES=60 per person over all routes, about a minute per database);
FUZZ_PER_ROUTE=1000 runs that many for every route in turn, and FUZZ_REPORT=file appends the
counts (person, method, endpoint, status class, examples). Routes that end the person's own
session or account are left out (they would only turn the rest of the run into anonymous
requests, which test_access covers).

The forms test posts every form with a text field found on the person's pages (at real ids, its
hidden fields as given, what a person fills in fuzzed): when the answer is the form again (200,
400, 409, 422, or a redirect to a page with an error), each text field shows what was typed,
less the control characters the boundary refuses, and then the page says so. FUZZ_ONLY=regex
keeps only the endpoints it matches (to run the long profile in groups).
"""

import logging
import os
import re
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.inputs import has_control, without_control
from clinic.timeutil import utcnow
from tests import html_forms

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
# The thorough run: this many examples for each route in turn (e.g. FUZZ_PER_ROUTE=1000).
PER_ROUTE = int(os.environ.get("FUZZ_PER_ROUTE", "0"))
# Where to append what was tried (person, method, endpoint, status counts): FUZZ_REPORT=path.
REPORT = os.environ.get("FUZZ_REPORT")
# Only the endpoints matching this pattern (e.g. FUZZ_ONLY='^portal\.'), to run a long profile in groups.
ONLY = os.environ.get("FUZZ_ONLY", "")
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


def _path(rule, ids: dict, draw, real_ids: bool = False) -> str:
    values = {}
    for name, converter in rule._converters.items():
        options = getattr(converter, "items", None)
        if options:
            values[name] = draw(st.sampled_from(sorted(options)))
        elif "Int" in type(converter).__name__ and real_ids:
            values[name] = ids.get(name, 1)
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


def _field_names(browser, path: str) -> tuple[list[str], set[str]]:
    """The names of the inputs the page at `path` renders (what its form posts), and those of
    them a person types text into in a form that posts back to `path`."""
    response = browser.get(path)
    if response.status_code != 200 or "text/html" not in response.content_type:
        return [], set()
    page = response.get_data(as_text=True)
    names = re.findall(r'name="([^"]+)"', page)
    typed = {
        item.name for form in html_forms.forms(page)
        if form.action is not None and urlsplit(form.action).path in ("", path)
        for item in form.fields if item.kind in html_forms.TYPED
    }
    return sorted({n for n in names if n != "csrf_token"}), typed


def _same_text(typed: str, shown: str) -> bool:
    # As a browser reads a page, a carriage return (alone or before a newline) is a newline.
    typed, shown = (re.sub(r"\r\n?", "\n", text) for text in (typed, shown))
    return shown == typed or shown.strip() == typed.strip()


def _assert_typed_text_kept(browser, response, form: dict, typed: set[str]) -> int:
    """A post answered with its page again (a field message, a conflict) shows, in each text
    field, what was typed there, less only the control characters the boundary refuses (and then
    says so). A page that shows the text to copy (resend.html) may show it in any text box.
    Returns how many typed fields were checked."""
    if response.status_code in (302, 303) and typed & set(form):
        # Sent back to another page: when that page says something was wrong, the text must be
        # there too (a flash alone above an empty field loses it).
        response = browser.get(response.location)
        if 'class="flash flash-error"' not in response.get_data(as_text=True):
            return 0
    if response.status_code not in (200, 400, 409, 422) or "text/html" not in response.content_type:
        return 0
    page = response.get_data(as_text=True)
    shown, checked = html_forms.fields(page), 0
    for name, value in form.items():
        expected = without_control(value)
        if name not in typed or not expected.strip():
            continue
        same = [item.value for item in shown if item.name == name]
        candidates = same or [item.value for item in shown if item.kind in html_forms.TYPED]
        assert any(_same_text(expected, text) for text in candidates), (
            "typed text lost", response.status_code, name, value, candidates)
        if same and has_control(value):
            assert "control characters" in page, ("no message beside the field", name, value)
        checked += 1
    return checked


def _fuzz(routes, browser, world, caplog, data, seen, real_ids=False, known=None):
    method, endpoint, rule = data.draw(st.sampled_from(routes), label="route")
    path = _path(rule, world.ids, data.draw, real_ids)
    query = data.draw(st.dictionaries(st.sampled_from(FILTERS), NASTY, max_size=4), label="query")
    form, typed = {}, set()
    if method == "POST" and known is not None and path in known:
        # As a person sends the form: its hidden fields as given, what they fill in fuzzed.
        names, typed, hidden = known[path]
        form = dict(hidden) | data.draw(
            st.dictionaries(st.sampled_from(names), NASTY, max_size=12), label="form")
    elif method == "POST":
        names, _typed = _field_names(browser, path)
        form = data.draw(st.dictionaries(st.sampled_from(names or list(FILTERS)), NASTY, max_size=12),
                         label="form")
    with caplog.at_level(logging.INFO):
        response = browser.open(path, method=method, query_string=query, data=form)
    key = (method, endpoint, response.status_code // 100 * 100)
    seen[key] = seen.get(key, 0) + 1
    assert response.status_code < 500, (method, path, query, form, caplog.text[-3000:])
    assert CANARY not in caplog.text, (method, path)
    if method == "POST":
        checked = _assert_typed_text_kept(browser, response, form, typed)
        key = (method, endpoint, "typed-text-kept")
        seen[key] = seen.get(key, 0) + checked


def _first(strategy):
    """A draw that takes the first of sampled_from's options (a path to look at, not fuzz)."""
    return getattr(strategy, "elements", ["x"])[0]


def _paths_at_real_ids(rule, ids: dict) -> list[str]:
    """The rule's path at the world's ids, once for each option of an `any` converter."""
    paths = [rule.rule]
    for name, converter in rule._converters.items():
        options = sorted(getattr(converter, "items", None) or [ids.get(name, 1)])
        paths = [re.sub(rf"<[^>]*:?{name}>", str(option), path) for path in paths for option in options]
    return paths


def _forms_by_action(app, browser, world) -> dict[str, tuple[list[str], set[str], list]]:
    """Every form with a text field on every page this person can open (at real ids): its
    action's path -> (the names of the fields a person fills in, those they type text into, the
    hidden fields as the page gives them, which a browser sends as they are)."""
    found: dict[str, tuple[list[str], set[str], list]] = {}
    for method, _endpoint, rule in _routes(app):
        for path in _paths_at_real_ids(rule, world.ids) if method == "GET" else []:
            response = browser.get(path)
            if response.status_code != 200 or "text/html" not in response.content_type:
                continue
            for form in html_forms.forms(response.get_data(as_text=True)):
                typed = {item.name for item in form.fields if item.kind in html_forms.TYPED}
                action = urlsplit(form.action or "").path or path
                if form.action is None or form.method != "post" or not typed or action in found:
                    continue
                hidden = [(i.name, i.value) for i in form.fields
                          if i.kind == "hidden" and i.name != "csrf_token"]
                names = sorted({i.name for i in form.fields if i.kind != "hidden" and i.name})
                found[action] = (names, typed, hidden)
    return found


def _run(app, browser, world, caplog, person: str, routes=None, real_ids=False, known=None):
    routes, seen = routes if routes is not None else _routes(app), {}
    routes = [r for r in routes if re.search(ONLY, r[1])]
    failures = []

    def fuzz(chosen, examples):
        @settings(max_examples=examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def run(data):
            _fuzz(chosen, browser, world, caplog, data, seen, real_ids, known)

        run()

    try:
        if PER_ROUTE:
            # The long run goes on past a failing route, and names every one at the end.
            for route in routes:
                try:
                    fuzz([route], PER_ROUTE)
                except Exception as error:  # reported below with its route
                    failures.append(f"{route[0]} {route[1]}: {error!r}"[:3000])
        else:
            fuzz(routes, EXAMPLES)
    finally:
        if REPORT:
            with open(REPORT, "a", encoding="utf-8") as out:
                for (method, endpoint, status), n in sorted(seen.items(), key=lambda i: str(i[0])):
                    out.write(f"{person}\t{method}\t{endpoint}\t{status}\t{n}\n")
    assert not failures, "\n".join(failures)
    return seen


@pytest.mark.config(PROPAGATE_EXCEPTIONS=False)
def test_a_clinician_sending_anything_gets_no_server_error(app, world, signed_in, caplog):
    _run(app, signed_in(world.clinician), world, caplog, "clinician")


@pytest.mark.config(PROPAGATE_EXCEPTIONS=False)
def test_an_owner_sending_anything_gets_no_server_error(app, world, signed_in, caplog):
    _run(app, signed_in(world.owner), world, caplog, "owner")


@pytest.mark.config(PROPAGATE_EXCEPTIONS=False)
def test_a_partner_sending_anything_gets_no_server_error(app, world, portal_client, caplog):
    _run(app, portal_client(world.a), world, caplog, "partner")


@pytest.mark.config(PROPAGATE_EXCEPTIONS=False)
@pytest.mark.parametrize("person", ["clinician", "owner", "partner"])
def test_every_form_answered_with_a_message_keeps_what_was_typed(
    app, world, signed_in, portal_client, caplog, person
):
    """Every form with a text field, at real ids: a post answered with the form again keeps, in
    each text field, what was typed (less the refused control characters, said beside it)."""
    browser = portal_client(world.a) if person == "partner" else signed_in(getattr(world, person))
    known = _forms_by_action(app, browser, world)
    forms = [
        route for route in _routes(app) if route[0] == "POST"
        and any(path in known for path in _paths_at_real_ids(route[2], world.ids))
    ]
    assert len(forms) >= (2 if person == "partner" else 8), [f[1] for f in forms]
    seen = _run(app, browser, world, caplog, f"{person}-forms", routes=forms, real_ids=True,
                known=known)
    checked = {endpoint for (_m, endpoint, status), n in seen.items() if status == "typed-text-kept" and n}
    # The property was really tried: some posts were answered with a message.
    assert checked, [f[1] for f in forms]
