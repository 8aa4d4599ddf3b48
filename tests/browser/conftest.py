"""Real-browser tests: the app on a live server, driven by Debian's Chromium through Playwright.

Fixtures (all function-scoped unless noted):

    live_server         the test's `app` served on http://127.0.0.1:<free port>, CSRF on,
                        BASE_URL pointing at it; yields the URL. Server-side exceptions fail
                        the test at teardown.
    base_url            the live URL: `page.goto("/auth/login")` works in any context made
                        with `new_context`, `phone_context` or `desktop_context`.
    settle_db()         commit the test thread's transaction. Call it after using builders or
                        services (or reading ORM attributes) and before the browser acts:
                        on SQLite every transaction holds the write lock (BEGIN IMMEDIATE),
                        so the server's requests would wait for it and fail.
    portal_link(couple_id, "A"|"B", user=None)
                        issues a partner's personal link through the service (as the couple's
                        primary clinician unless `user` is given), settles the DB and returns
                        the full URL to open in a phone context.
    phone_context()     a new 390x844 touch context (is_mobile, scale 2); `desktop_context()`
                        a new 1280x800 one. Each call is a separate browser (own cookies).
    sign_in(page, email, password=PASSWORD)
                        signs in through the real login form and waits to leave it.
    no_horizontal_scroll(page)
                        asserts the page is no wider than the viewport.
    assert_accessible(page, label="")
                        runs axe-core; fails on any "serious" or "critical" violation.
    screenshot(page, name)
                        saves test-artifacts/screenshots/<name>-<desktop|phone>.png.
    check_page(page, name)
                        all of them: no horizontal scroll, no attribute rendered as "None",
                        axe; the screenshot when a check fails, or always with
                        CLINIC_SCREENSHOTS=1.

Every test here carries the `browser` marker. Without /usr/bin/chromium they are skipped,
unless CLINIC_REQUIRE_BROWSER=1 (CI), which turns the missing browser into a failure.
"""

import contextlib
import os
import re
import threading
import traceback
from pathlib import Path

import pytest
from flask import got_request_exception
from werkzeug.serving import WSGIRequestHandler, make_server

from clinic.extensions import db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# Every page check_page sees is saved for a person to look at with CLINIC_SCREENSHOTS=1; otherwise
# only a page that fails its checks (a full-page screenshot costs Chromium about 0.2 s).
EVERY_SCREENSHOT = os.environ.get("CLINIC_SCREENSHOTS", "") not in ("", "0")
PASSWORD = "correct horse battery"  # the same as tests/conftest.py's builders use
HERE = Path(__file__).resolve().parent

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "screen": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE_MAX_WIDTH = 600
BLOCKING_IMPACTS = ("serious", "critical")


def _browser_required() -> bool:
    return os.environ.get("CLINIC_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    # A conftest hook sees every collected item, not only this folder's.
    ours = [item for item in items if HERE in Path(str(item.path)).resolve().parents]
    missing = not CHROMIUM.exists()
    for item in ours:
        item.add_marker(pytest.mark.browser)
        if missing and not _browser_required():
            item.add_marker(pytest.mark.skip(
                reason=f"{CHROMIUM} is not installed (set CLINIC_REQUIRE_BROWSER=1 to fail instead)"
            ))


@pytest.fixture(scope="session", autouse=True)
def _chromium_present():
    # Only reached when CLINIC_REQUIRE_BROWSER=1 or the browser is there (else skipped above).
    if not CHROMIUM.exists():
        pytest.fail(
            f"CLINIC_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: install Debian's chromium package.",
            pytrace=False,
        )


# --- Playwright configuration ----------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def base_url(live_server):
    """Function-scoped (the server is per test), so browser_context_args is overridden too."""
    return live_server


@pytest.fixture
def browser_context_args(pytestconfig, playwright, device, base_url, request):
    # pytest-playwright's own version is session-scoped and would request base_url from the
    # session; this one keeps what it does (device, video) for a per-test base_url.
    args = dict(playwright.devices[device]) if device else {}
    args["base_url"] = base_url
    if pytestconfig.getoption("--video") in ("on", "retain-on-failure"):
        args["record_video_dir"] = request.getfixturevalue("_pw_artifacts_folder").name
    return args


# --- the live server -------------------------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request is noise in a failure report
        pass


@pytest.fixture
def settle_db(app):
    def settle():
        db.session.commit()

    return settle


@pytest.fixture
def live_server(app, settle_db):
    app.config["WTF_CSRF_ENABLED"] = True  # real forms, real tokens
    assert not app.config["RATELIMIT_ENABLED"]
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url

    errors: list[str] = []

    def record(sender, exception, **extra):
        errors.append("".join(traceback.format_exception(exception)))

    got_request_exception.connect(record, app)
    settle_db()
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        got_request_exception.disconnect(record, app)
    if errors:
        pytest.fail("The live server raised:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture
def portal_link(live_server, settle_db):
    from clinic.couples.models import Couple
    from clinic.portal import services as portal

    def issue(couple_id: int, position: str = "A", user=None) -> str:
        couple = db.session.get(Couple, couple_id)
        partner = next(p for p in couple.partners if p.position == position)
        issued = portal.issue_link(user or couple.primary_clinician, couple.id, partner.id, valid_days=None)
        url = f"{live_server}/portal/l/{issued.token}"
        settle_db()
        return url

    return issue


# --- contexts and sign-in ----------------------------------------------------------------------

@pytest.fixture
def phone_context(new_context):
    def make(**kwargs):
        return new_context(**{**PHONE, **kwargs})

    return make


@pytest.fixture
def desktop_context(new_context):
    def make(**kwargs):
        return new_context(**{**DESKTOP, **kwargs})

    return make


@pytest.fixture
def sign_in():
    def do(page, email: str, password: str = PASSWORD):
        page.goto("/auth/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/auth/login" not in url)
        return page

    return do


# --- page checks -------------------------------------------------------------------------------

def _no_horizontal_scroll(page) -> None:
    scroll_width, inner_width = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width > inner_width:
        culprits = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
                 .slice(0, 5)
                 .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                      + (el.className && typeof el.className === 'string'
                         ? '.' + el.className.trim().split(/\\s+/).join('.') : ''))"""
        )
        pytest.fail(
            f"{page.url} scrolls sideways: {scroll_width}px wide in a {inner_width}px viewport; "
            f"overflowing: {', '.join(culprits)}",
            pytrace=False,
        )


@pytest.fixture
def no_horizontal_scroll():
    return _no_horizontal_scroll


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def assert_accessible(axe):
    def check(page, label: str = "") -> None:
        # axe-core (570 kB) is put into a document once, not again for each check of that page.
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe.axe_script)
        violations = page.evaluate("() => axe.run({resultTypes: ['violations']}).then(r => r.violations)")
        blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
        if blocking:
            lines = [f"axe on {label or page.url}: {len(blocking)} serious/critical violation(s)"]
            for v in blocking:
                lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
                for node in v["nodes"][:10]:
                    target = " ".join(str(t) for t in node["target"])
                    lines.append(f"    at {target}: {node.get('failureSummary', '').strip()}")
            pytest.fail("\n".join(lines), pytrace=False)

    return check


def _form_factor(page) -> str:
    viewport = page.viewport_size or {"width": 1280}
    return "phone" if viewport["width"] <= PHONE_MAX_WIDTH else "desktop"


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = SCREENSHOTS / f"{slug}-{_form_factor(page)}.png"
        page.screenshot(path=str(path), full_page=True, scale="css", animations="disabled")
        return path

    return take


def _no_none_attributes(page) -> None:
    """A Python None that reached the HTML as the text "None" (type="None", aria-invalid="None")."""
    found = page.evaluate(
        """() => [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
                 .filter(a => a.value === 'None')
                 .map(a => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}[${a.name}]`))"""
    )
    assert not found, f"{page.url}: attributes rendered as \"None\": {', '.join(found[:10])}"


@pytest.fixture
def check_page(no_horizontal_scroll, assert_accessible, screenshot):
    def check(page, name: str) -> None:
        if EVERY_SCREENSHOT:
            screenshot(page, name)
        try:
            no_horizontal_scroll(page)
            _no_none_attributes(page)
            assert_accessible(page, f"{name} ({_form_factor(page)}) {page.url}")
        except BaseException:  # pytest.fail's exception is not an Exception
            if not EVERY_SCREENSHOT:
                with contextlib.suppress(Exception):  # a crashed page: the check's failure counts
                    screenshot(page, name)  # the failing page, on file
            raise

    return check
