"""Who reads which language: the partner's own, the staff member's own, the browser's only
before anyone is known; pages say so in their lang attribute."""

import re

import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.auth.models import User
from clinic.couples.models import Partner
from clinic.extensions import db
from clinic.practice.models import Practice
from tests.i18n.conftest import text


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', text(response)).group(1)


def test_a_chinese_partners_portal_is_in_chinese(zhao_zhou, portal_client):
    lei = portal_client(zhao_zhou.lei)

    home = lei.get("/portal/")

    assert html_lang(home) == "zh-Hans"
    assert "提醒" in text(home)  # the reminders section (Lei has an email address)
    # Whatever the browser says: the partner's setting decides.
    again = lei.get("/portal/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert html_lang(again) == "zh-Hans"


def test_an_english_partner_of_the_same_practice_reads_english(family_en, portal_client):
    jing = portal_client(family_en.partners[0])

    home = jing.get("/portal/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})

    assert html_lang(home) == "en"
    assert "Reminders" in text(home)


def test_the_partner_switches_language_and_it_stays_switched(zhao_zhou, portal_client, make_link):
    issued = make_link(zhao_zhou.ting)
    ting = portal_client(zhao_zhou.ting, issued)
    page = ting.get("/portal/entries")
    assert 'lang="en"' in text(page) and ">English</button>" in text(page)  # the control

    switched = ting.post("/portal/language", data={"locale": "en", "next": "/portal/entries?page=1"})

    assert switched.status_code == 302 and switched.location == "/portal/entries?page=1"
    assert db.session.get(Partner, zhao_zhou.ting.id).locale == "en"
    assert html_lang(ting.get("/portal/entries")) == "en"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "portal.language")).one()
    assert event.detail == {"from": "zh_Hans", "to": "en"}
    # And back, from another phone of hers: kept on her, not on the browser.
    other_phone = portal_client(zhao_zhou.ting, issued)
    assert html_lang(other_phone.get("/portal/")) == "en"
    other_phone.post("/portal/language", data={"locale": "zh_Hans", "next": "/portal/"})
    assert html_lang(ting.get("/portal/")) == "zh-Hans"


def test_the_control_goes_back_only_inside_the_portal_and_takes_only_known_languages(
    zhao_zhou, portal_client
):
    ting = portal_client(zhao_zhou.ting)

    for elsewhere in ("https://evil.example/portal/", "//evil.example/portal/", "/auth/login",
                      "/portal/\\evil"):
        response = ting.post("/portal/language", data={"locale": "en", "next": elsewhere})
        assert response.location == "/portal/"
    refused = ting.post("/portal/language", data={"locale": "fr", "next": "/portal/"})

    assert refused.status_code == 302
    assert db.session.get(Partner, zhao_zhou.ting.id).locale == "en"  # the valid posts above


def test_before_the_link_is_exchanged_the_browser_decides_then_the_partner(
    zhao_zhou, family_en, client, make_link
):
    issued = make_link(family_en.partners[0])  # Chen Jing: English on file

    opened = client.get(f"/portal/l/{issued.token}", headers={"Accept-Language": "zh-CN,zh;q=0.8"})
    assert html_lang(opened) == "zh-Hans"
    assert html_lang(client.get(f"/portal/l/{issued.token}")) == "en"  # no header: the default
    client.post("/portal/continue", data={"token": issued.token})
    # Exchanged: Jing's own language, whatever the browser asks for.
    assert html_lang(client.get("/portal/", headers={"Accept-Language": "zh-CN"})) == "en"


def test_a_language_picked_on_the_continue_page_becomes_the_partners(family_en, client, make_link):
    jing = family_en.partners[0]
    issued = make_link(jing)
    client.get(f"/portal/l/{issued.token}")

    picked = client.post("/portal/language", data={"locale": "zh_Hans", "next": f"/portal/l/{issued.token}"})
    assert picked.location == f"/portal/l/{issued.token}"
    assert html_lang(client.get(f"/portal/l/{issued.token}")) == "zh-Hans"
    assert db.session.get(Partner, jing.id).locale == "en"  # nobody known yet: nothing stored
    client.post("/portal/continue", data={"token": issued.token})

    assert db.session.get(Partner, jing.id).locale == "zh_Hans"
    assert html_lang(client.get("/portal/")) == "zh-Hans"


def test_staff_read_their_own_language_and_pick_it_on_their_account_page(
    zhao_zhou, make_user, signed_in
):
    mei = signed_in(zhao_zhou.clinician)
    assert html_lang(mei.get("/couples/", headers={"Accept-Language": "zh-CN"})) == "en"

    saved = mei.post("/auth/language", data={"locale": "zh_Hans"})
    assert saved.status_code == 302
    account = mei.get("/auth/password")

    assert html_lang(account) == "zh-Hans"
    assert "你的语言已保存。" in text(account)
    assert db.session.get(User, zhao_zhou.clinician.id).locale == "zh_Hans"
    assert html_lang(mei.get("/couples/")) == "zh-Hans"
    # A colleague in the same practice is unaffected.
    colleague = signed_in(make_user(zhao_zhou.practice))
    assert html_lang(colleague.get("/couples/")) == "en"
    assert mei.post("/auth/language", data={"locale": "klingon"}).status_code == 302
    assert db.session.get(User, zhao_zhou.clinician.id).locale == "zh_Hans"


def test_the_sign_in_page_follows_the_browser(client):
    assert html_lang(client.get("/auth/login", headers={"Accept-Language": "zh-TW,en;q=0.5"})) == "zh-Hans"
    assert html_lang(client.get("/auth/login", headers={"Accept-Language": "de-DE,en;q=0.5"})) == "en"
    assert html_lang(client.get("/auth/login", headers={"Accept-Language": "fr"})) == "en"


def test_new_partners_and_staff_start_in_the_practices_language(
    make_practice, make_user, signed_in, make_couple
):
    practice = make_practice("北京伴侣咨询中心")
    owner = make_user(practice, role="owner")
    browser = signed_in(owner)
    saved = browser.post("/practice/settings", data={
        "locale": "zh_Hans", "timezone": "Asia/Shanghai", "opens_at": "09:00", "closes_at": "18:00",
        "open_days": list("12345"), "remind_days_before": "2", "remind_on_due_day": "y",
    })
    assert saved.status_code == 302
    assert db.session.get(Practice, practice.id).locale == "zh_Hans"

    colleague = make_user(practice)
    form = browser.get("/couples/new")
    couple = make_couple(colleague)

    assert colleague.locale == "zh_Hans"
    assert owner.locale == "en"  # who was there before keeps their own
    assert [p.locale for p in couple.partners] == ["zh_Hans", "zh_Hans"]
    assert re.search(r'<option selected value="zh_Hans">', text(form))  # the form's default


def test_the_clinician_sets_a_partners_language(zhao_zhou, signed_in):
    mei = signed_in(zhao_zhou.clinician)
    data = {
        "case_label": "Zhao & Zhou", "primary_clinician_id": zhao_zhou.clinician.id,
        "partner_a-name": "Zhao Lei", "partner_a-email": "lei@example.org", "partner_a-locale": "en",
        "partner_b-name": "Zhou Ting", "partner_b-locale": "zh_Hans",
    }

    response = mei.post(f"/couples/{zhao_zhou.couple.id}/edit", data=data)

    assert response.status_code == 302
    assert db.session.get(Partner, zhao_zhou.lei.id).locale == "en"
    assert db.session.get(Partner, zhao_zhou.ting.id).locale == "zh_Hans"
    refused = mei.post(f"/couples/{zhao_zhou.couple.id}/edit", data=data | {"partner_a-locale": "xx"})
    assert refused.status_code == 200 and "Not a valid choice" in text(refused)
    assert db.session.get(Partner, zhao_zhou.lei.id).locale == "en"


def test_practice_language_is_checked_by_the_service(make_practice, make_user):
    from clinic.errors import DomainError
    from clinic.practice.services import PracticeSettings, practice_settings, update_settings

    owner = make_user(make_practice(), role="owner")
    current = practice_settings(owner)
    try:
        update_settings(owner, PracticeSettings(**{**current.__dict__, "locale": "xx"}))
    except DomainError as error:
        assert error.field == "locale"
    else:
        raise AssertionError("an unknown language was accepted")
    assert db.session.scalar(sa.select(Practice.locale).where(Practice.id == owner.practice_id)) == "en"
