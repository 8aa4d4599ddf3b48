"""The catalogue in the clinician's workspace follows the staff member's language."""

import html
from types import SimpleNamespace

import pytest

from clinic.exercises import services
from clinic.inbox import services as inbox


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def w(make_practice, make_user, make_couple):
    practice = make_practice()
    clinician = make_user(practice)
    couple = make_couple(clinician, a="Zhao Lei", b="Zhou Ting", stage=2)
    return SimpleNamespace(clinician=clinician, couple=couple, a=couple.partners[0])


def test_the_assign_page_and_the_stages_are_in_the_clinicians_language(w, signed_in, reading_in):
    reading_in("zh_Hans")
    browser = signed_in(w.clinician)

    assign = page(browser.get(f"/exercises/couples/{w.couple.id}/assign"))
    detail = page(browser.get(f"/couples/{w.couple.id}"))

    assert "2. 发现资源" in assign and "你已经在用的应对方式" in assign and "奇迹问句" in assign
    assert "Ways you already cope" not in assign
    assert "发现资源" in detail and '<option selected value="2">2. 发现资源</option>' in detail.replace(
        'value="2" selected', 'selected value="2"')

    reading_in("en")
    assert "2. Resource identification" in page(browser.get(f"/exercises/couples/{w.couple.id}/assign"))


def test_the_inbox_names_an_exercise_in_the_readers_language(w, assign, app, reading_in):
    sent = assign(w.clinician, w.couple, "hope-question", target="A")[0]
    services.save_answers(w.a, sent.id, {"a_little_better": "早上一起喝咖啡"}, submit=True,
                          shared=False, locale="zh_Hans")

    for locale, title in (("en", "A little better by tonight"), ("zh_Hans", "到今晚，好一点点")):
        reading_in(locale)
        with app.test_request_context():
            items = inbox.inbox(w.clinician, page=1, per_page=10).items
        assert [i.title for i in items] == [title]


def test_a_draft_begun_in_one_language_is_sent_with_the_prompts_of_the_other(w, assign):
    assignment = assign(w.clinician, w.couple, "hope-question", target="A")[0]
    draft = services.save_answers(w.a, assignment.id, {"a_little_better": "x"}, submit=False,
                                  shared=False, locale="en")
    assert draft.prompts["locale"] == "en"

    sent = services.save_answers(w.a, assignment.id, {"a_little_better": "早上一起喝咖啡"},
                                 submit=True, shared=False, locale="zh_Hans")

    assert (sent.prompts["locale"], sent.prompts["title"]) == ("zh_Hans", "到今晚，好一点点")
