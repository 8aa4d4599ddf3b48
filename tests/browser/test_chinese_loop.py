"""The loop in Chinese: Zhou Ting answers an exercise in Chinese on her phone; Mei Lin, who reads
the workspace in Chinese, finds it in her inbox and on the couple's page."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from clinic.auth.models import User
from clinic.extensions import db

pytestmark = pytest.mark.browser

MOMENT = "晚饭后我们一起散步，一句争吵都没有。"
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
    first_label, first_answer = next(iter(ANSWERS.items()))
    page.get_by_label(first_label).fill(first_answer)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("status").filter(has_text="草稿已保存")).to_be_visible()
    for label, answer in ANSWERS.items():
        page.get_by_label(label).fill(answer)
    check_page(page, "zh-portal-exercise")
    page.get_by_role("button", name="发送给我的咨询师").click()
    expect(page.get_by_role("status").filter(has_text="已发送")).to_be_visible()
    check_page(page, "zh-portal-sent")

    # A moment that went differently, then a place on the scale, then her own progress.
    page.get_by_role("link", name="首页").click()
    page.get_by_role("link", name="记下一个不一样的时刻").click()
    page.get_by_label("是什么时候？").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_label("当时的情境有什么不一样？").fill(MOMENT)
    expect(page.get_by_label("只有我的咨询师")).to_be_checked()
    check_page(page, "zh-portal-add-exception")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="已加入你的例外记录。")).to_be_visible()
    page.get_by_role("link", name="在量尺上给自己评分").click()
    page.get_by_label("6", exact=True).check()
    page.get_by_label("如果你往上移动一格，你最先会注意到什么不同？").fill("我们会在工作日一起做饭。")
    check_page(page, "zh-portal-add-scale")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="你的量尺评分已保存。")).to_be_visible()
    page.get_by_role("navigation", name="你的个人空间").get_by_role("link", name="我的进展").click()
    expect(page.get_by_text(MOMENT)).to_be_visible()
    expect(page.locator(".entry").filter(has_text="6 / 10")).to_be_visible()
    check_page(page, "zh-portal-progress")

    # Mei Lin, at her desk: the workspace is Chinese too.
    clinic = desktop_context().new_page()
    sign_in(clinic, zhao_zhou["email"])
    assert clinic.locator("html").get_attribute("lang") == "zh-Hans"
    clinic.get_by_role("navigation", name="主导航").get_by_role("link", name=re.compile("收件箱")).click()
    expect(clinic.get_by_role("heading", level=1)).to_be_visible()
    rows = clinic.get_by_role("row").filter(has_text="Zhou Ting")
    expect(rows).to_have_count(3)  # the exercise, the moment and the place on the scale
    expect(rows.filter(has_text="例外记录")).to_have_count(1)
    expect(rows.filter(has_text="量尺评分")).to_have_count(1)
    row = rows.filter(has_text="奇迹问句")
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

    # She writes the session note in Chinese, checks its wording live, and signs it.
    clinic.get_by_role("link", name="新建会谈记录").click()
    expect(clinic.get_by_role("heading", level=1, name="新建会谈记录")).to_be_visible()
    expect(clinic.get_by_text(MOMENT)).to_be_visible()  # her moment, offered for citing
    clinic.get_by_label("问题的名字").fill("沉默")
    effects = clinic.get_by_label("外化的问题及其影响")
    effects.fill("她很焦虑。")
    expect(clinic.locator(".language-head").first).to_have_text(
        "用语检查：1 条建议。仅供参考，不会妨碍保存。"
    )
    expect(clinic.locator(".language-try").first).to_contain_text("可以试试：")
    effects.fill("搬家以后，「沉默」常常在晚饭时出现。")
    clinic.get_by_label("独特结果与例外").fill("周六一起做饭的时候，「沉默」没有出现。")
    check_page(clinic, "zh-note-editor")
    clinic.get_by_role("button", name="保存草稿").click()
    expect(clinic.get_by_role("status").filter(has_text="草稿已保存。")).to_be_visible()
    clinic.get_by_role("button", name="签署并锁定").click()
    expect(clinic.get_by_role("heading", level=2, name="签署")).to_be_visible()
    expect(clinic.get_by_text("已验证：保存的会谈记录与签署时生成的哈希值一致。")).to_be_visible()
    check_page(clinic, "zh-note-signed")
