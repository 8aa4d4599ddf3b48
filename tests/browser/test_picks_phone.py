"""Picking from one's own record on a phone: the moments of "Looking closely at good moments"
from the partner's own exception log (a ticked one opens its questions; too few is refused beside
the field, nothing lost), and the actions of "Commitment & experiment" from their own menu."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def offered(make_user, make_couple, settle_db):
    from clinic.exercises.services import AssignmentRequest, assign_exercises, save_answers
    from clinic.records.services import add_in_session

    clinician = make_user(role="clinician")
    couple = make_couple(clinician, label="Zhao & Zhou", a="Zhao Lei", b="Zhou Ting")
    a, b = couple.partners
    for n, day in enumerate(("2026-10-01", "2026-10-03", "2026-10-05", "2026-10-07"), start=1):
        add_in_session(clinician, couple.id, a.id, "exception",
                       {"date": day, "context": f"Moment {n}: we cooked and laughed about the week"},
                       shared=False)
    add_in_session(clinician, couple.id, b.id, "exception",
                   {"date": "2026-10-02", "context": "Zhou Ting's walk by the river"}, shared=True)
    [menu] = assign_exercises(clinician, couple.id, [AssignmentRequest("action-menu", "A")])
    save_answers(a, menu.id, {"actions": [f"Small action number {n}" for n in range(1, 11)]},
                 submit=True, shared=False)
    assign_exercises(clinician, couple.id, [AssignmentRequest("exception-deep-description", "A"),
                                            AssignmentRequest("commitment-experiment", "A")])
    couple_id = couple.id
    settle_db()
    return couple_id


def test_a_partner_picks_moments_and_an_action_on_a_phone(
    live_server, offered, portal_link, phone_context, check_page,
):
    page = phone_context().new_page()
    page.goto(portal_link(offered, "A"))
    page.get_by_role("button", name="Continue").tap()
    expect(page).to_have_url(re.compile(r"/portal/$"))

    page.get_by_role("link", name=re.compile("Looking closely at good moments")).tap()
    moments = page.get_by_role("group", name="Moments from your exception log")
    expect(moments.get_by_role("checkbox")).to_have_count(4)
    expect(page.get_by_text("walk by the river")).to_have_count(0)
    question = page.get_by_label("What was happening around you?")
    expect(question.first).to_be_hidden()  # opens once its moment is ticked
    check_page(page, "portal-picks")

    def moment(n):
        return moments.locator("li.pick").filter(has_text=f"Moment {n}:")

    for n in (1, 2):
        moment(n).get_by_role("checkbox").check()
        expect(moment(n).get_by_label("What was happening around you?")).to_be_visible()
        moment(n).get_by_label("What was happening around you?").fill(f"At home, evening {n}")
    expect(moment(3).get_by_label("What was happening around you?")).to_be_hidden()
    box = moments.get_by_role("checkbox").first.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24  # a thumb-sized target

    page.get_by_role("button", name="Send to my therapist").tap()
    expect(page.get_by_text("Please choose at least 3 moments — you have chosen 2 so far.")).to_be_visible()
    expect(moment(1).get_by_label("What was happening around you?")).to_have_value("At home, evening 1")
    expect(moment(2).get_by_role("checkbox")).to_be_checked()
    check_page(page, "portal-picks-error")

    moment(3).get_by_role("checkbox").check()
    moment(3).get_by_label("What was happening around you?").fill("In the car")
    page.get_by_role("button", name="Send to my therapist").tap()
    expect(page.get_by_text("Sent to your therapist. Thank you.")).to_be_visible()

    page.get_by_role("link", name=re.compile("Commitment & experiment")).tap()
    menu = page.get_by_role("group", name="Actions from your menu")
    expect(menu.get_by_role("checkbox")).to_have_count(10)
    check_page(page, "portal-menu-picks")
    menu.get_by_label("Small action number 4").check()
    menu.locator("li.pick").filter(has_text="Small action number 4").get_by_label(
        "What do you hope to learn?").fill("Whether mornings suit us")
    menu.locator("li.pick").filter(has_text="Small action number 4").get_by_label(
        "How will you know you have learned something?").fill("We talk more")
    page.get_by_role("button", name="Send to my therapist").tap()
    expect(page.get_by_text("Sent to your therapist. Thank you.")).to_be_visible()
