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
from tests.pdf_helpers import pdf_fonts, pdf_text


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


NOTE_SECTIONS = {
    "problem_name": "沉默",
    "problem_effects": "搬家以后，「沉默」常常在晚饭时出现，让两个人都觉得孤单。",
    "unique_outcomes": "周六一起做饭的时候，「沉默」没有出现，他们笑了很久。",
    "next_steps": "这周再安排一次一起做饭，留意是什么让这样的时刻更容易出现。",
}


def _write_and_sign(browser, couple_id: int) -> tuple[int, str]:
    """Mei writes a note in Chinese through the editor, then signs it; (note id, signed page)."""
    saved = browser.post(
        f"/notes/couples/{couple_id}/new",
        data={"session_date": date.today().isoformat(), "duration_minutes": "50",
              "attendees": "both", "scale_A": "6", "scale_B": "5", "action": "save",
              **NOTE_SECTIONS},
    )
    assert saved.status_code == 302, visible(saved)
    note_id = int(saved.headers["Location"].rstrip("/").split("/")[-1])
    draft = browser.get(f"/notes/{note_id}")
    version = re.search(r'name="version"[^>]*value="([^"]+)"', text(draft)).group(1)
    signed = browser.post(f"/notes/{note_id}/sign", data={"version": version}, follow_redirects=True)
    return note_id, signed


def test_a_note_is_written_and_signed_in_chinese(mei, zhao_zhou, signed_in):
    browser = signed_in(mei)

    editor = browser.get(f"/notes/couples/{zhao_zhou.couple.id}/new")
    seen = visible(editor)
    for words in ("新建会谈记录", "问题的名字", "外化的问题及其影响", "独特结果与例外", "保存草稿",
                  "检查用语", "会谈日期", "时长（分钟）"):
        assert words in seen
    assert 'data-text-try="可以试试："' in text(editor)  # the live check's own words, for notes.js

    _note_id, signed = _write_and_sign(browser, zhao_zhou.couple.id)

    seen = visible(signed)
    assert html_lang(signed) == "zh-Hans"
    assert "已签署。" in seen or "已签署" in seen
    today = date.today()
    assert f"会谈记录 · {today.year}年{today.month}月{today.day}日" in seen
    assert "50 分钟" in seen and "两位伴侣" in seen and "咨询师：Mei Lin" in seen
    assert "签署人" in seen and "已验证：保存的会谈记录与签署时生成的哈希值一致。" in seen
    assert "「沉默」没有出现" in seen and "下载 PDF" in seen
    for english in ("Signature", "Signed by", "Download PDF", "Unique outcomes", "Addenda"):
        assert english not in seen


def test_the_language_check_speaks_to_a_chinese_clinician_in_chinese(mei, signed_in):
    browser = signed_in(mei)

    found = browser.post("/notes/language", json={"text": "她很焦虑。", "section": "problem_effects"})

    assert found.status_code == 200
    assert found.json["head"] == "用语检查：1 条建议。仅供参考，不会妨碍保存。"
    assert found.json["findings"][0]["lang"] == "zh"


def test_a_chinese_authors_note_pdf_is_in_chinese_with_cjk_glyphs(mei, zhao_zhou, signed_in):
    browser = signed_in(mei)
    note_id, _signed = _write_and_sign(browser, zhao_zhou.couple.id)

    pdf = browser.get(f"/notes/{note_id}/pdf")

    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    flat = " ".join(pdf_text(pdf.data).split())
    today = date.today()
    for words in ("会谈记录", "保密临床记录", "时长", "出席者",
                  "两位伴侣：Zhao Lei和Zhou Ting", "问题的名字", "外化的问题及其影响",
                  f"{today.year}年{today.month}月{today.day}日", "签署人", "已验证",
                  "第 1 页，共", "「沉默」没有出现"):
        assert words in flat, words
    for english in ("Session note", "Signature", "Signed by", "No addenda", "Page 1 of"):
        assert english not in flat, english
    fonts = pdf_fonts(pdf.data)
    assert fonts and all(f["embedded"] == "yes" for f in fonts)
    assert any(re.search(r"WenQuanYi|Noto(Sans|Serif)CJK|Droid", f["name"]) for f in fonts), fonts


def test_the_note_pdf_follows_its_author_not_the_english_owner_who_exports_it(
    mei, zhao_zhou, make_user, signed_in,
):
    note_id, _signed = _write_and_sign(signed_in(mei), zhao_zhou.couple.id)
    owner = make_user(zhao_zhou.practice, role="owner", name="Ann Owner")

    pdf = signed_in(owner).get(f"/notes/{note_id}/pdf")

    flat = " ".join(pdf_text(pdf.data).split())
    assert "会谈记录" in flat and "由 Ann Owner 于" in flat
    assert "Session note" not in flat


def _supervisor_of(practice, clinician, make_user):
    from clinic.reports.supervision import add_supervision

    owner = make_user(practice, role="owner", name="Ann Owner")
    supervisor = make_user(practice, role="supervisor", name="Sam Supervisor")
    add_supervision(owner, supervisor.id, clinician.id)
    return supervisor


REPORT_QUERY = {"since": "2026-01-01", "until": date.today().isoformat()}


def test_an_english_supervisors_report_of_a_chinese_clinician_stays_english(
    mei, zhao_zhou, make_user, signed_in,
):
    supervisor = _supervisor_of(zhao_zhou.practice, mei, make_user)
    browser = signed_in(supervisor)

    page = browser.get("/reports/", query_string=REPORT_QUERY)
    pdf = browser.get("/reports/report.pdf", query_string=REPORT_QUERY)

    assert html_lang(page) == "en" and "Supervision reports" in visible(page)
    flat = " ".join(pdf_text(pdf.data).split())
    assert "Supervision report" in flat and "Active couples now" in flat and "Page 1 of" in flat
    assert "督导报告" not in flat and "阶段" not in flat


def test_a_chinese_readers_report_pdf_is_in_chinese_from_the_web_and_the_cli(
    mei, zhao_zhou, make_user, signed_in, runner, tmp_path,
):
    supervisor = _supervisor_of(zhao_zhou.practice, mei, make_user)
    db.session.execute(sa.update(User).where(User.id == supervisor.id).values(locale="zh_Hans"))
    db.session.commit()

    pdf = signed_in(supervisor).get("/reports/report.pdf", query_string=REPORT_QUERY)
    out = tmp_path / "report.pdf"
    result = runner.invoke(args=["supervision-report", "--since", "2026-01-01", "--until",
                                 date.today().isoformat(), "--format", "pdf", "--out", str(out),
                                 "--as", supervisor.email], env={"LANG": "en_GB.UTF-8"})

    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output  # the person at the terminal reads English
    for flat in (" ".join(pdf_text(pdf.data).split()), " ".join(pdf_text(out.read_bytes()).split())):
        assert "督导报告" in flat and "目前进行中的个案" in flat and "第 1 页，共" in flat
        assert "Supervision report" not in flat


def test_the_cli_speaks_the_language_of_the_person_at_the_terminal(runner):
    chinese = runner.invoke(args=["create-practice", "和光伴侣咨询"], env={"LANG": "zh_CN.UTF-8"})
    english = runner.invoke(args=["create-practice", "Harbour Lane"], env={"LANG": "C.UTF-8"})

    assert chinese.exit_code == 0 and "已创建机构" in chinese.output
    assert "每位成员登录时都需要第二重验证" in chinese.output
    assert english.exit_code == 0 and "Created practice" in english.output


def test_the_checks_why_is_in_the_readers_language_its_suggestions_in_the_sentences(
    mei, zhao_zhou, make_user, signed_in,
):
    owner = make_user(zhao_zhou.practice, role="owner", name="Ann Owner")
    english_sentence = {"text": "She is narcissistic.", "section": "problem_effects"}
    chinese_sentence = {"text": "她很焦虑。", "section": "problem_effects"}

    for_mei = signed_in(mei).post("/notes/language", json=english_sentence).json["findings"][0]
    for_ann = signed_in(owner).post("/notes/language", json=chinese_sentence).json["findings"][0]

    assert re.search(r"[\u4e00-\u9fff]", for_mei["why"]) and for_mei["lang"] == "en"
    assert all(not re.search(r"[\u4e00-\u9fff]", s) for s in for_mei["suggestions"])
    assert not re.search(r"[\u4e00-\u9fff]", for_ann["why"]) and for_ann["lang"] == "zh"
    assert all(re.search(r"[\u4e00-\u9fff]", s) for s in for_ann["suggestions"])


def test_the_exception_log_reads_in_chinese(mei, zhao_zhou, signed_in):
    from clinic.records.services import add_from_portal

    today = date.today()
    add_from_portal(
        zhao_zhou.ting, "exception",
        {"date": today.isoformat(), "context": "今天早上我桌上有一杯茉莉花茶。",
         "behaviour": "我给他发了一句“谢谢”。", "meaning": "不用长谈的善意，是我们回到彼此身边的一条路。"},
        shared=False, tags=[("time", "早上")],
    )
    db.session.commit()
    browser = signed_in(mei)

    page = browser.get(f"/records/couples/{zhao_zhou.couple.id}/exceptions")

    seen = visible(page)
    assert html_lang(page) == "zh-Hans"
    for words in ("例外记录", "问题没那么有话语权的时刻", "来自个人空间", "不公开", "有什么不一样",
                  "我做了什么", "这说明了什么", "时间段：早上", "情境类别", "添加标签",
                  f"{today.year}年{today.month}月{today.day}日", "今天早上我桌上有一杯茉莉花茶。"):
        assert words in seen, words
    for english in ("Exception log", "What was different", "from the portal", "Add tag", "Filter"):
        assert english not in seen, english


def test_a_missing_field_is_refused_in_wtforms_chinese(mei, zhao_zhou, signed_in):
    refused = signed_in(mei).post(f"/couples/{zhao_zhou.couple.id}/edit", data={"case_label": ""})

    assert "该字段是必填字段。" in visible(refused)


def test_account_mail_is_written_in_the_recipients_language(mei, zhao_zhou, make_user, delivered):
    from clinic.accounts import services as accounts

    # Mei reads Chinese: her reset link (made by the worker, which has no language) is Chinese.
    accounts.request_password_reset(mei.email)
    [reset] = delivered(1)
    # An English owner of a practice whose language is Chinese invites a new member: the
    # invitation is in the member's language (the practice's), not the owner's.
    zhao_zhou.practice.locale = "zh_Hans"
    owner = make_user(zhao_zhou.practice, role="owner", name="Ann Owner")
    owner.locale = "en"
    db.session.commit()
    accounts.invite_member(owner, accounts.Invitation(email="new@example.org", name="Lin Xiao",
                                                      role="clinician"))
    invitation = delivered(2)[1]

    assert reset["Subject"] == "为 Clinic 设置新密码"
    assert "Mei Lin" in reset.get_content() and "Hello" not in reset.get_content()
    assert "Harbour Lane Couples Practice" in invitation["Subject"]
    assert re.search(r"[\u4e00-\u9fff]", invitation["Subject"])
    assert "Hello" not in invitation.get_content()
