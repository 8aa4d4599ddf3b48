"""The catalogue in the clinician's workspace follows the staff member's language."""

import html
import re
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from clinic.exercises import services
from clinic.extensions import db
from clinic.inbox import services as inbox


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def w(make_practice, make_user, make_couple):
    couple = make_couple(make_user(make_practice()), a="Zhao Lei", b="Zhou Ting", stage=2)
    return SimpleNamespace(couple=couple, a=couple.partners[0], clinician=couple.primary_clinician)


def test_the_assign_page_and_the_stages_are_in_the_clinicians_language(w, signed_in):
    w.clinician.locale = "zh_Hans"
    db.session.commit()
    browser = signed_in(w.clinician)

    assign = page(browser.get(f"/exercises/couples/{w.couple.id}/assign"))
    detail = page(browser.get(f"/couples/{w.couple.id}"))

    assert "2. 发现资源" in assign and "你已经在用的应对方式" in assign and "奇迹问句" in assign
    assert "Ways you already cope" not in assign
    stages = re.search(r'<select[^>]*name="stage".*?</select>', detail, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", stages) == [
        "1. 建立合作关系", "2. 发现资源", "3. 澄清愿景", "4. 放大例外", "5. 构建行动", "6. 巩固与维持",
    ]

    w.clinician.locale = "en"
    db.session.commit()
    assert "2. Resource identification" in page(browser.get(f"/exercises/couples/{w.couple.id}/assign"))


def test_the_inbox_names_an_exercise_in_the_readers_language(w, assign, app):
    sent = assign(w.clinician, w.couple, "hope-question", target="A")[0]
    w.a.locale = "zh_Hans"
    services.save_answers(w.a, sent.id, {"a_little_better": "早上一起喝咖啡"}, submit=True,
                          shared=False)

    for locale, title in (("en", "A little better by tonight"), ("zh_Hans", "到今晚，好一点点")):
        with app.test_request_context(), force_locale(locale):
            items = inbox.inbox(w.clinician, page=1, per_page=10).items
        assert [i.title for i in items] == [title]


def test_a_draft_begun_in_one_language_is_sent_with_the_prompts_of_the_other(w, assign):
    assignment = assign(w.clinician, w.couple, "hope-question", target="A")[0]
    draft = services.save_answers(w.a, assignment.id, {"a_little_better": "x"}, submit=False,
                                  shared=False)
    assert draft.prompts["locale"] == "en"

    w.a.locale = "zh_Hans"  # the partner switched their portal to Chinese
    sent = services.save_answers(w.a, assignment.id, {"a_little_better": "早上一起喝咖啡"},
                                 submit=True, shared=False)

    assert (sent.prompts["locale"], sent.prompts["title"]) == ("zh_Hans", "到今晚，好一点点")
