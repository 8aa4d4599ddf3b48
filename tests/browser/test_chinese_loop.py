"""The loop in Chinese: Zhou Ting answers an exercise in Chinese on her phone; Mei Lin, who reads
the workspace in Chinese, finds it in her inbox and on the couple's page."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from clinic.auth.models import User
from clinic.extensions import db

pytestmark = pytest.mark.browser

ANSWERS = {
    "醒来时，最先让你察觉到有些不一样的小迹象是什么？": "我下楼的时候，水壶已经烧上了。",
    "你在做什么不一样的事？": "看手机之前，我先跟他说早安。",
    "你的伴侣在做什么不一样的事？": "他问我睡得好不好，然后等我回答。",
    "你们两个人相处起来是什么样子？": "上班前我们一起笑那只猫。",
    "从早到晚，把这奇迹后的一整天细细走一遍。": "一起吃早饭，中午发一条消息，晚饭后一起散步。",
}


@pytest.fixture
def zhao_zhou(make_practice, make_user, make_couple, settle_db):
    """An English practice; Mei Lin reads Chinese, and so do Zhao Lei and Zhou Ting."""
    from clinic.exercises.services import AssignmentRequest, assign_exercises

    practice = make_practice("Harbour Lane Couples Practice")
    mei = make_user(practice, name="Mei Lin")
    db.session.execute(sa.update(User).where(User.id == mei.id).values(locale="zh_Hans"))
    couple = make_couple(mei, label="Zhao & Zhou", a="Zhao Lei", b="Zhou Ting", stage=3)
    for partner in couple.partners:
        partner.locale = "zh_Hans"
    assign_exercises(mei, couple.id, [AssignmentRequest("miracle-question", "each")])
    info = {"email": mei.email, "id": couple.id}
    settle_db()
    return info


def test_a_partner_answers_in_chinese_and_the_chinese_clinician_reads_it(
    live_server, zhao_zhou, portal_link, phone_context, desktop_context, sign_in, check_page,
):
    # Zhou Ting, on her phone (set to Chinese: the link's Continue page follows the browser,
    # every page after it her own setting).
    page = phone_context(locale="zh-CN").new_page()
    page.goto(portal_link(zhao_zhou["id"], "B"))
    page.get_by_role("button", name="继续").tap()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    expect(page.get_by_text("Zhou Ting，你好")).to_be_visible()
    check_page(page, "zh-portal-home")

    page.get_by_role("link", name=re.compile("奇迹问句")).click()
    expect(page.get_by_role("heading", level=1, name="奇迹问句")).to_be_visible()
    for label, answer in ANSWERS.items():
        page.get_by_label(label).fill(answer)
    check_page(page, "zh-portal-exercise")
    page.get_by_role("button", name="发送给我的咨询师").click()
    expect(page.get_by_role("status").filter(has_text="已发送")).to_be_visible()
    check_page(page, "zh-portal-sent")

    # Mei Lin, at her desk: the workspace is Chinese too.
    clinic = desktop_context().new_page()
    sign_in(clinic, zhao_zhou["email"])
    assert clinic.locator("html").get_attribute("lang") == "zh-Hans"
    clinic.get_by_role("navigation", name="主导航").get_by_role("link", name=re.compile("收件箱")).click()
    expect(clinic.get_by_role("heading", level=1)).to_be_visible()
    row = clinic.get_by_role("row").filter(has_text="Zhou Ting")
    expect(row).to_contain_text("奇迹问句")
    expect(row).to_contain_text("Zhao & Zhou")
    check_page(clinic, "zh-inbox")

    row.get_by_role("link", name="奇迹问句").click()
    expect(clinic.get_by_role("heading", level=1, name="奇迹问句")).to_be_visible()
    expect(clinic.get_by_text("一起吃早饭，中午发一条消息，晚饭后一起散步。")).to_be_visible()
    expect(clinic.get_by_text("来自 Zhou Ting")).to_be_visible()
    check_page(clinic, "zh-submission")

    clinic.goto(f"/couples/{zhao_zhou['id']}")
    expect(clinic.get_by_role("heading", level=2, name="练习")).to_be_visible()
    assignment = clinic.locator("#assignments li").filter(has_text="Zhou Ting")
    expect(assignment).to_contain_text("已提交")
    expect(clinic.locator(".page-head .muted").first).to_contain_text("第 3 阶段：")
    check_page(clinic, "zh-couple")
    # No English left on what she reads: the guard test covers the templates, this the page.
    visible = clinic.locator("main").inner_text()
    for english in ("Exercises", "Exception log", "Session notes", "Portal links", "Submitted"):
        assert english not in visible, english
