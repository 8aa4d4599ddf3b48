"""The clinician's side in a real browser: caseload, couple page, assigning, inbox, links."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ANSWERS = {
    "first_sign": "Coffee for two.",
    "i_do": "I listen to the end.",
    "partner_does": "She laughs at my jokes again.",
    "together": "Easy.",
    "miracle_day": "Slow breakfast, work, a walk, dinner with friends.",
}


@pytest.fixture
def owner_and_couple(make_user, make_couple, settle_db):
    owner = make_user(role="owner", name="Dr Lin Mei")
    couple = make_couple(owner, label="Liu & Sun", a="Liu Yang", b="Sun Li", stage=1)
    info = {"email": owner.email, "id": couple.id}
    settle_db()
    return info


def test_the_owner_assigns_two_exercises_at_desktop_size(
    live_server, owner_and_couple, desktop_context, sign_in, check_page
):
    page = desktop_context().new_page()
    sign_in(page, owner_and_couple["email"])

    expect(page.get_by_role("heading", level=1, name="Caseload")).to_be_visible()
    couple_link = page.get_by_role("link", name="Liu & Sun")
    expect(couple_link).to_be_visible()
    couple_link.click()
    expect(page.get_by_role("heading", level=1, name="Liu & Sun")).to_be_visible()
    expect(page.get_by_text("Nothing assigned yet.")).to_be_visible()

    page.get_by_role("link", name="Assign exercises").click()
    expect(page.get_by_role("heading", level=1, name="Assign exercises")).to_be_visible()
    page.get_by_label("Your relationship story").check()
    page.get_by_label("A little better by tonight").check()
    page.get_by_role("button", name="Assign the ticked exercises").click()

    expect(page).to_have_url(re.compile(rf"/couples/{owner_and_couple['id']}#assignments$"))
    expect(page.get_by_role("status").filter(has_text="4 assignments added.")).to_be_visible()
    exercises = page.get_by_role("region", name="Exercises")
    for title in ("Your relationship story", "A little better by tonight"):
        for partner in ("Liu Yang", "Sun Li"):
            expect(exercises.get_by_role("listitem").filter(has_text=title).filter(has_text=partner)).to_be_visible()
    expect(exercises.get_by_role("listitem")).to_have_count(4)
    check_page(page, "clinician-couple-assigned")


@pytest.fixture
def busy_couple(owner_and_couple, app, settle_db):
    """The couple with one exercise sent in by partner A, so the inbox has a row."""
    from clinic.auth.models import User
    from clinic.couples.models import Couple
    from clinic.exercises.services import AssignmentRequest, assign_exercises, save_answers
    from clinic.extensions import db

    owner = db.session.scalar(db.select(User).filter_by(email=owner_and_couple["email"]))
    couple = db.session.get(Couple, owner_and_couple["id"])
    assignment, _ = assign_exercises(owner, couple.id, [AssignmentRequest("miracle-question", "each")])
    submission = save_answers(assignment.partner, assignment.id, ANSWERS, submit=True, shared=False)
    info = {**owner_and_couple, "submission": submission.id}
    settle_db()
    return info


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_clinician_pages_look_right_and_pass_axe(
    size, live_server, busy_couple, desktop_context, phone_context, sign_in, check_page
):
    context = desktop_context() if size == "desktop" else phone_context()
    page = context.new_page()
    sign_in(page, busy_couple["email"])
    expect(page.get_by_role("heading", level=1, name="Caseload")).to_be_visible()
    check_page(page, "clinician-caseload")

    page.goto(f"/couples/{busy_couple['id']}")
    expect(page.get_by_role("heading", level=1, name="Liu & Sun")).to_be_visible()
    check_page(page, "clinician-couple")

    page.get_by_role("link", name="Assign exercises").click()
    expect(page.get_by_role("heading", level=1, name="Assign exercises")).to_be_visible()
    check_page(page, "clinician-assign")

    page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^Inbox")).click()
    expect(page.get_by_role("heading", level=1, name="What came in")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Liu Yang")).to_contain_text("New")
    check_page(page, "clinician-inbox")

    page.get_by_role("link", name="The miracle question").click()
    expect(page.get_by_text(ANSWERS["miracle_day"])).to_be_visible()
    check_page(page, "clinician-submission")

    page.goto(f"/couples/{busy_couple['id']}")
    page.get_by_role("button", name="Make a link for Sun Li").click()
    link = page.get_by_label("Personal link for Sun Li")
    expect(link).to_have_value(re.compile(rf"^{re.escape(live_server)}/portal/l/"))
    expect(page.get_by_role("img", name="QR code of the link")).to_be_visible()
    check_page(page, "clinician-link")
