"""A clinician who reads Chinese: the workspace (caseload, couple page, records, notes) in
Chinese, dated the Chinese way, while the practice and its English colleagues stay English."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa

from clinic.auth.models import User
from clinic.extensions import db
from tests.i18n.conftest import text


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', text(response)).group(1)


def visible(response) -> str:
    """The page's text without tags (what a reader sees), spaces collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", text(response), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture
def mei(zhao_zhou):
    """Mei Lin, the couple's clinician, reads the workspace in Chinese."""
    clinician = zhao_zhou.clinician
    db.session.execute(sa.update(User).where(User.id == clinician.id).values(locale="zh_Hans"))
    db.session.commit()
    return clinician


def test_the_caseload_is_in_chinese(mei, zhao_zhou, signed_in):
    browser = signed_in(mei)

    page = browser.get("/couples/", headers={"Accept-Language": "en-GB,en;q=0.9"})

    assert html_lang(page) == "zh-Hans"
    assert 'aria-label="搜索个案"' in text(page)
    seen = visible(page)
    for words in ("个案", "添加个案", "全部阶段", "最近动态", "收件箱", "退出登录", "Zhao & Zhou"):
        assert words in seen
    for english in ("Caseload", "Add a couple", "Last activity", "Sign out", "Search"):
        assert english not in seen


def test_the_couple_page_is_in_chinese_with_chinese_dates(mei, zhao_zhou, signed_in):
    browser = signed_in(mei)

    page = browser.get(f"/couples/{zhao_zhou.couple.id}")

    seen = visible(page)
    assert "第 2 阶段：" in seen
    assert "进行中" in seen and "咨询师：Mei Lin" in seen
    assert "例外记录" in seen and "布置练习" in seen and "个人空间链接" in seen
    assert "（伴侣 A）" in seen and "Zhao Lei" in seen
    today = date.today()
    assert f"自 {today.year}年{today.month}月{today.day}日 起进行中。" in seen  # 2026年11月28日
    for english in ("Exception log", "Assign exercises", "Portal links", "Edit details", "Partners"):
        assert english not in seen


def test_a_stage_move_and_a_status_change_are_confirmed_in_chinese(mei, zhao_zhou, signed_in):
    browser = signed_in(mei)
    couple_id = zhao_zhou.couple.id

    moved = browser.post(f"/couples/{couple_id}/stage", data={"stage": "3"}, follow_redirects=True)
    paused = browser.post(f"/couples/{couple_id}/status", data={"status": "paused"},
                          follow_redirects=True)

    assert "已调整到第 3 阶段。" in visible(moved)
    assert "这个个案现在是“暂停”状态。" in visible(paused)
    assert "进行中 → 暂停" in visible(paused)


def test_a_form_refusal_reads_in_chinese(mei, signed_in):
    browser = signed_in(mei)

    refused = browser.post("/couples/new", data={"case_label": ""})

    seen = visible(refused)
    assert "请检查下面标出的栏目" in seen
    assert "个案名称" in seen and "称呼" in seen


def test_an_unknown_couple_is_a_chinese_404(mei, signed_in):
    page = signed_in(mei).get("/couples/999999")

    assert page.status_code == 404
    assert "找不到页面" in visible(page) and "回到首页" in visible(page)


def test_an_english_colleague_in_the_same_practice_reads_english(mei, zhao_zhou, make_user,
                                                                  signed_in):
    owner = make_user(zhao_zhou.practice, role="owner", name="Ann Owner")

    page = signed_in(owner).get(f"/couples/{zhao_zhou.couple.id}",
                                headers={"Accept-Language": "zh-CN"})

    assert html_lang(page) == "en"
    assert "Exception log" in visible(page) and "例外记录" not in visible(page)
    assert f"Active since {date.today().day} " in visible(page)
