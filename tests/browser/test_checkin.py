"""The private safety check-in on a phone, in English and in Chinese: found at home, answered,
sent once, gone from the portal; the other partner's phone never shows it."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def offered(make_user, make_couple, settle_db):
    from clinic.portal.services import set_language
    from clinic.safety import checkins

    clinician = make_user(role="clinician")
    couple = make_couple(clinician, label="Chen & Wang")
    a, b = couple.partners
    set_language(b, "zh_Hans")
    checkins.offer_checkin(clinician, couple.id, a.id)
    checkins.offer_checkin(clinician, couple.id, b.id)
    couple_id = couple.id
    settle_db()
    return couple_id


def _open(page, link, continue_label):
    page.goto(link)
    page.get_by_role("button", name=continue_label).tap()
    expect(page).to_have_url(re.compile(r"/portal/$"))


def test_the_check_in_in_english_on_a_phone(live_server, offered, portal_link, phone_context, check_page):
    page = phone_context().new_page()
    _open(page, portal_link(offered, "A"), "Continue")
    page.get_by_role("link", name=re.compile("A few private questions")).tap()
    expect(page.get_by_role("heading", level=1, name="A few private questions")).to_be_visible()
    check_page(page, "portal-checkin-en")
    page.get_by_role("group", name="At home, do you feel safe right now?").get_by_label("Not sure").check()
    page.get_by_label("How and when can your therapist reach you safely?").fill("Weekday mornings, by text")
    page.get_by_role("button", name="Send to my therapist only").tap()
    expect(page.get_by_text("Sent to your therapist only.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("A few private questions"))).to_have_count(0)


def test_the_check_in_in_chinese_on_a_phone(live_server, offered, portal_link, phone_context, check_page):
    page = phone_context().new_page()
    _open(page, portal_link(offered, "B"), "Continue")  # the link page speaks the browser's language
    page.get_by_role("link", name=re.compile("几个私密的问题")).tap()
    expect(page.get_by_role("heading", level=1, name="几个私密的问题")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    check_page(page, "portal-checkin-zh")
    page.get_by_role("group", name="在家里，你现在觉得安全吗？").get_by_label("是").check()  # noqa: RUF001
    page.get_by_role("button", name="只发给我的咨询师").tap()
    expect(page.get_by_text("已只发给你的咨询师。")).to_be_visible()
