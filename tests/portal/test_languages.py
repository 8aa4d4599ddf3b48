"""The exercises in a partner's language: every one in Chinese, and what was sent stays in the
language it was written in, for the partner and for the clinician (who reads their own)."""

import html
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from clinic.exercises import catalogue
from clinic.exercises.models import Submission
from clinic.extensions import db
from clinic.records.services import add_in_session


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def family(make_practice, make_user, make_couple):
    """Zhao Lei (a) and Zhou Ting with their clinician: the couple of the articles' second case."""
    couple = make_couple(make_user(make_practice()), a="Zhao Lei", b="Zhou Ting")
    return SimpleNamespace(couple=couple, a=couple.partners[0], clinician=couple.primary_clinician)


def speaks(person, locale: str) -> None:
    """Set a partner's (by their clinician) or a staff member's language."""
    person.locale = locale
    db.session.commit()


def texts_of(exercise) -> list[str]:
    found = [exercise.title, exercise.purpose, exercise.instructions]
    for f in exercise.fields:
        found += [f.label, f.help, *f.suggestions]
        for sub in f.subfields:
            found += [sub.label, sub.help]
    return [t for t in found if t]


def test_every_exercise_is_shown_in_chinese_to_a_partner_reading_chinese(
    family, assign, portal_client
):
    speaks(family.a, "zh_Hans")
    # One moment in their own log, so the questions asked under each picked moment are shown.
    add_in_session(family.clinician, family.couple.id, family.a.id, "exception",
                   {"date": "2026-11-01", "context": "我们一起做了饭"}, shared=False)
    browser = portal_client(family.a)
    everything = catalogue.all_exercises()
    assert len(everything) == 18
    for english in everything:
        assignment = assign(family.clinician, family.couple, english.key,
                            target="joint" if english.is_joint else "A")[0]
        response = browser.get(f"/portal/exercises/{assignment.id}", follow_redirects=True)
        body = page(response)
        chinese = catalogue.get(english.key, locale="zh_Hans")
        assert response.status_code == 200, english.key
        # The record forms (exception log, scale) have their own heading and no instructions.
        shown = texts_of(chinese)
        if english.record:
            shown = [t for t in shown if t not in (chinese.title, chinese.instructions)]
        assert [t for t in shown if t not in body] == [], english.key
        assert [t for t in texts_of(english) if t in body] == [], english.key

    home = page(browser.get("/portal/"))
    assert "你的关系故事" in home and "倾听练习" in home and "Your relationship story" not in home


def test_a_partner_reading_english_sees_the_english(family, assign, portal_client):
    assignment = assign(family.clinician, family.couple, "hope-question", target="A")[0]

    body = page(portal_client(family.a).get(f"/portal/exercises/{assignment.id}"))

    assert "A little better by tonight" in body and "到今晚" not in body


def sent_in_chinese(family, assign, portal_client):
    assignment = assign(family.clinician, family.couple, "relationship-narrative", target="A")[0]
    browser = portal_client(family.a)
    response = browser.post(f"/portal/exercises/{assignment.id}", data={
        "a-matters": "我们还能一起笑", "a-struggles": "晚上长长的沉默",
        "a-longings": "周末一起去河边散步", "sharing": "private", "action": "submit",
    })
    assert response.status_code == 302, page(response)
    return browser, db.session.scalars(sa.select(Submission)).one()


def test_a_chinese_submission_keeps_its_chinese_prompts_after_the_language_changes(
    family, assign, portal_client, signed_in
):
    speaks(family.a, "zh_Hans")
    browser, sent = sent_in_chinese(family, assign, portal_client)
    assert sent.prompts["locale"] == "zh_Hans"
    assert sent.prompts["fields"][0]["label"] == "在这段关系里，对你来说最重要的是什么？"

    browser.post("/portal/language", data={"locale": "en", "next": "/portal/"})
    db.session.refresh(family.a)
    assert family.a.locale == "en"
    body = page(browser.get(f"/portal/sent/{sent.id}"))

    assert '<h1 lang="zh-Hans">你的关系故事</h1>' in body
    assert '<dt lang="zh-Hans">在这段关系里，对你来说最重要的是什么？</dt>' in body
    assert "我们还能一起笑" in body and "What matters most to you" not in body

    # The clinician reads English: the partner's prompts as they saw them, the English beside.
    clinician = page(signed_in(family.clinician).get(f"/exercises/submissions/{sent.id}"))
    row = re.search(r'<th scope="row">(.*?)</th>\s*<td class="answer">(.*?)</td>', clinician, re.S)
    assert '<span lang="zh-Hans">在这段关系里，对你来说最重要的是什么？</span>' in row.group(1)
    assert '<span class="translation">What matters most to you in this relationship?</span>' in row.group(1)
    assert "我们还能一起笑" in row.group(2)
    assert '<p class="translation">Your relationship story</p>' in clinician


def test_a_clinician_reading_the_same_language_sees_no_translation(
    family, assign, portal_client, signed_in
):
    speaks(family.a, "zh_Hans")
    speaks(family.clinician, "zh_Hans")
    _browser, sent = sent_in_chinese(family, assign, portal_client)

    body = page(signed_in(family.clinician).get(f"/exercises/submissions/{sent.id}"))

    assert '<th scope="row">在这段关系里，对你来说最重要的是什么？' in body
    assert 'class="translation"' not in body and '<span lang=' not in body


def test_an_old_submission_without_a_recorded_language_still_renders(
    family, assign, portal_client, signed_in
):
    _browser, sent = sent_in_chinese(family, assign, portal_client)
    english = catalogue.get("relationship-narrative", 1).snapshot()
    del english["locale"]  # as stored before languages were recorded
    sent.prompts = english
    db.session.commit()

    speaks(family.clinician, "zh_Hans")
    body = page(signed_in(family.clinician).get(f"/exercises/submissions/{sent.id}"))

    assert '<span lang="en">What matters most to you in this relationship?</span>' in body
    assert '<span class="translation">在这段关系里，对你来说最重要的是什么？</span>' in body


@pytest.mark.parametrize(("locale", "offered"), [("en", ["safety", "connection"]),
                                                 ("zh_Hans", ["安全感", "联结"])])
def test_the_values_offered_include_safety_and_connection(
    family, assign, portal_client, locale, offered
):
    speaks(family.a, locale)
    assignment = assign(family.clinician, family.couple, "value-ranking", target="A")[0]

    body = page(portal_client(family.a).get(f"/portal/exercises/{assignment.id}"))

    datalist = re.search(r'<datalist id="a-values-options">(.*?)</datalist>', body, re.S).group(1)
    assert [v for v in offered if f'<option value="{v}">' not in datalist] == []


def test_a_coping_list_of_one_way_is_accepted(family, assign, portal_client):
    speaks(family.a, "zh_Hans")
    assignment = assign(family.clinician, family.couple, "coping-list", target="A")[0]

    response = portal_client(family.a).post(f"/portal/exercises/{assignment.id}", data={
        "a-ways": ["写一封不寄出的信", ""], "sharing": "private", "action": "submit",
    })

    assert response.status_code == 302, page(response)
    sent = db.session.scalars(sa.select(Submission)).one()
    assert sent.state == "submitted" and sent.answers == {"ways": ["写一封不寄出的信"]}
    assert sent.prompts["title"] == "你已经在用的应对方式"


def test_an_exception_entry_for_an_assignment_keeps_the_language_it_was_written_in(
    family, assign, portal_client
):
    speaks(family.a, "zh_Hans")
    assignment = assign(family.clinician, family.couple, "exception-log", target="A")[0]
    browser = portal_client(family.a)

    form = page(browser.get(f"/portal/add/exception?assignment={assignment.id}"))
    assert "当时的情境有什么不一样？" in form and "你们在哪里、当时在发生什么、有谁在场。" in form
    browser.post(f"/portal/add/exception?assignment={assignment.id}", data={
        "a-date": "2026-11-20", "a-context": "周末一起去买菜", "sharing": "private",
    })

    sent = db.session.scalars(sa.select(Submission)).one()
    assert (sent.state, sent.prompts["locale"], sent.prompts["title"]) == ("submitted", "zh_Hans", "例外记录")
