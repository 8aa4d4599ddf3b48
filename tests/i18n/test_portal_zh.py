"""The portal in Chinese, as Zhao Lei uses it: home, an exercise (draft, a refused answer, sending),
a moment, a place on the scale, "my progress" with its chart."""

import html
import re

import sqlalchemy as sa

from clinic.exercises import catalogue
from clinic.exercises.models import Submission
from clinic.extensions import db
from tests.i18n.conftest import text


def visible(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", text(response)))


def test_home_speaks_chinese_with_the_practice_and_therapist_named(zhao_zhou, portal_client, assign):
    assign(zhao_zhou.clinician, zhao_zhou.couple, "coping-list", target="A", due_on=None)
    lei = portal_client(zhao_zhou.lei)

    home = visible(lei.get("/portal/"))

    assert "Zhao Lei，你好" in home
    assert "这是你在 Harbour Lane Couples Practice 的个人空间" in home
    assert "待完成" in home and "记下一个不一样的时刻" in home and "没有截止日期" in home
    assert catalogue.get("coping-list", locale="zh_Hans").title in home
    assert "离开（在这部手机上退出）" in home
    assert "Hello" not in home and "To do" not in home


def test_an_exercise_in_chinese_from_draft_to_sent(zhao_zhou, portal_client, assign):
    [assignment] = assign(zhao_zhou.clinician, zhao_zhou.couple, "coping-list", target="A")
    exercise = catalogue.get("coping-list", locale="zh_Hans")
    lei = portal_client(zhao_zhou.lei)

    page = visible(lei.get(f"/portal/exercises/{assignment.id}"))
    assert exercise.title in page and exercise.purpose in page
    assert "发送给我的咨询师" in page and "保存草稿" in page and "谁可以看到这条内容？" in page

    draft = lei.post(f"/portal/exercises/{assignment.id}", data={
        "a-ways": ["散步", "给朋友打电话"], "action": "draft", "sharing": "private",
    }, follow_redirects=True)
    assert "草稿已保存。你随时可以回来继续。" in visible(draft)

    # The coping list asks for no minimum (one way of coping is enough), but for one.
    refused = lei.post(f"/portal/exercises/{assignment.id}", data={
        "a-ways": ["", ""], "action": "submit", "sharing": "private",
    })
    assert refused.status_code == 422
    shown = visible(refused)
    assert "有些回答还需要再看一下——你写的内容都还在。" in shown
    assert "提交前请至少添加一项。" in shown

    sent = lei.post(f"/portal/exercises/{assignment.id}", data={
        "a-ways": ["散步", "给朋友打电话", "一起做饭", "早点睡"], "action": "submit",
        "sharing": "private",
    }, follow_redirects=True)
    assert "已发送给你的咨询师。谢谢你。" in visible(sent)
    submission = db.session.scalars(sa.select(Submission)).one()
    # The prompts are kept as Lei saw them: in Chinese.
    assert submission.prompts["locale"] == "zh_Hans"
    assert submission.prompts["title"] == exercise.title


def test_a_moment_and_a_place_on_the_scale_then_my_progress(zhao_zhou, portal_client):
    lei = portal_client(zhao_zhou.lei)

    form = visible(lei.get("/portal/add/exception"))
    assert "一个不一样的时刻" in form and "这个时刻周围有些什么？（选填）" in form
    assert "一起做饭" in text(lei.get("/portal/add/exception"))  # a suggested condition
    saved = lei.post("/portal/add/exception", data={
        "a-date": "2026-11-20", "a-context": "我们一起散步，没有争吵", "sharing": "private",
    }, follow_redirects=True)
    assert "已加入你的例外记录。" in visible(saved)
    for value in (4, 6):  # a place on the scale is for today
        placed = lei.post("/portal/add/scale", data={
            "a-value": str(value), "a-one_higher": "周末一起做早饭", "sharing": "private",
        }, follow_redirects=True)
        assert "你的量尺评分已保存。" in visible(placed)

    progress = visible(lei.get("/portal/entries"))

    assert "我的进展" in progress and "不一样的时刻" in progress
    assert "你最初在 4 ，最近一次在 6 。" in re.sub(r"\s+", " ", progress)
    assert "2026年11月20日" in progress  # dates in Chinese
    assert "我们一起散步，没有争吵" in progress
    # The chart is described in Chinese for screen readers.
    assert re.search(r"Zhao Lei 在 \d+月\d+日 从 4 变为 6。", progress)


def test_an_english_partner_still_reads_english_dates_and_words(zhao_zhou, family_en, portal_client):
    jing = portal_client(family_en.partners[0])
    jing.post("/portal/add/exception", data={"a-date": "2026-11-01", "a-context": "A calm walk",
                                             "sharing": "private"})
    jing.post("/portal/add/scale", data={"a-value": "5", "sharing": "private"})

    progress = visible(jing.get("/portal/entries"))

    assert "My progress" in progress and "1 Nov 2026" in progress
    assert re.search(r"placed themselves at 5 on \d+ [A-Z][a-z]+", progress)
