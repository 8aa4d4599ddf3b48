"""Accessibility sweeps: every form the catalogue can produce, error states, the other pages.

Each page is checked with axe (no serious or critical violation), for sideways scrolling at
its size (and saved as a screenshot with CLINIC_SCREENSHOTS=1).
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SIZES = ["desktop", "phone"]


@pytest.fixture
def practice(make_user, make_couple, settle_db):
    """An owner with a clinician, a couple with every catalogue exercise assigned to partner A."""
    from clinic.exercises import catalogue
    from clinic.exercises.services import AssignmentRequest, assign_exercises
    from clinic.records.services import add_from_portal

    owner = make_user(role="owner", name="Dr Lin Mei")
    make_user(practice=owner.practice, role="clinician", name="Zhou Min")
    couple = make_couple(owner, label="Liu & Sun", a="Liu Yang", b="Sun Li", stage=2)
    requests = [
        AssignmentRequest(e.key, "joint" if e.is_joint else "A") for e in catalogue.all_exercises()
    ]
    assignments = assign_exercises(owner, couple.id, requests)
    partner_a = next(p for p in couple.partners if p.position == "A")
    add_from_portal(
        partner_a, "exception",
        {"date": (date.today() - timedelta(days=1)).isoformat(), "context": "A calm Sunday."},
        shared=False,
    )
    add_from_portal(partner_a, "scale", {"value": 4}, shared=True)
    info = {
        "email": owner.email,
        "couple": couple.id,
        "assignments": [(a.exercise_key, a.id) for a in assignments],
    }
    settle_db()
    return info


def open_portal(page, link):
    page.goto(link)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/portal/$"))


def test_every_exercise_form_on_a_phone(live_server, practice, portal_link, phone_context, check_page):
    page = phone_context().new_page()
    open_portal(page, portal_link(practice["couple"], "A"))
    for key, assignment_id in practice["assignments"]:
        page.goto(f"/portal/exercises/{assignment_id}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        check_page(page, f"portal-form-{key}")


@pytest.mark.parametrize("key", ["micro-experiment", "value-ranking"])
def test_a_form_sent_half_done_explains_itself(
    key, live_server, practice, portal_link, phone_context, check_page
):
    page = phone_context().new_page()
    open_portal(page, portal_link(practice["couple"], "A"))
    assignment_id = dict(practice["assignments"])[key]
    page.goto(f"/portal/exercises/{assignment_id}")
    page.get_by_role("textbox").first.fill("Only this.")
    page.get_by_role("button", name="Send to my therapist").click()
    expect(page.get_by_role("alert").filter(has_text="need another look")).to_be_visible()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    expect(page.get_by_role("textbox").first).to_have_value("Only this.")
    check_page(page, f"portal-form-errors-{key}")


def test_portal_pages_without_a_working_session(
    live_server, practice, portal_link, phone_context, check_page
):
    page = phone_context().new_page()
    page.goto("/portal/l/not-a-real-token-at-all")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_page(page, "portal-refused")

    page.goto("/portal/")
    expect(page).to_have_url(re.compile(r"/portal/ended"))
    check_page(page, "portal-no-session")

    # A partner whose session ends while writing gets everything back, ready to resend.
    open_portal(page, portal_link(practice["couple"], "A"))
    page.goto(f"/portal/exercises/{dict(practice['assignments'])['hope-question']}")
    page.get_by_role("textbox").first.fill("Words I would hate to lose.")
    page.context.clear_cookies()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Words I would hate to lose.")).to_be_visible()
    check_page(page, "portal-resend")


@pytest.mark.parametrize("size", SIZES)
def test_the_sign_in_page(size, live_server, desktop_context, phone_context, check_page):
    page = (desktop_context if size == "desktop" else phone_context)().new_page()
    page.goto("/auth/login")
    expect(page.get_by_label("Password")).to_have_attribute("type", "password")
    check_page(page, "sign-in")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    check_page(page, "sign-in-refused")


@pytest.mark.parametrize("size", SIZES)
def test_the_other_clinician_pages(size, live_server, practice, desktop_context, phone_context, sign_in,
                                   check_page):
    page = (desktop_context if size == "desktop" else phone_context)().new_page()
    sign_in(page, practice["email"])
    couple = practice["couple"]
    pages = {
        "couple-new": "/couples/new",
        "couple-edit": f"/couples/{couple}/edit",
        "record-exception": f"/records/couples/{couple}/exception/new",
        "record-scale": f"/records/couples/{couple}/scale/new",
        "exception-timeline": f"/records/couples/{couple}/exceptions",
        "practice": "/practice/",
        "team": "/practice/team",
        "team-new": "/practice/team/new",
        "audit-log": "/audit/",
        "password": "/auth/password",
    }
    for name, path in pages.items():
        response = page.goto(path)
        assert response.status == 200, (path, response.status)
        check_page(page, f"clinician-{name}")

    # An invalid form comes back with its errors tied to the fields.
    page.goto("/couples/new")
    page.get_by_role("button", name="Add couple").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    check_page(page, "clinician-couple-new-errors")


def test_the_page_checks_fail_a_bad_page_and_keep_its_screenshot(desktop_context, check_page):
    """The checks can fail: an unlabelled field and grey-on-grey text are caught by axe, even
    when axe is already in the document from an earlier check, and the failing page is saved."""
    from tests.browser.conftest import SCREENSHOTS

    page = desktop_context().new_page()
    page.set_content('<!doctype html><html lang="en"><title>Fine</title><main><h1>Fine</h1>'
                     '<p>Nothing wrong here.</p></main></html>')
    check_page(page, "check-self-test-fine")
    page.evaluate("""() => { document.querySelector('main').insertAdjacentHTML('beforeend',
        '<input type="text"><p style="color:#bbb;background:#ccc">Hard to read</p>'); }""")
    shot = SCREENSHOTS / "check-self-test-bad-desktop.png"
    shot.unlink(missing_ok=True)

    with pytest.raises(pytest.fail.Exception) as failed:
        check_page(page, "check-self-test-bad")

    assert "label" in str(failed.value) and "color-contrast" in str(failed.value)
    assert shot.exists()
