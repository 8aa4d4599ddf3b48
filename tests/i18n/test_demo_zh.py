"""The demo shows both languages: the practice, its staff and Chen & Wang in English; Zhao Lei
and Zhou Ting use the portal in Chinese and what they wrote there is Chinese."""

import re

import sqlalchemy as sa

from clinic.auth.models import User
from clinic.couples.models import Couple, Partner
from clinic.extensions import db
from clinic.practice.models import Practice
from clinic.records.models import ExceptionEntry
from tests.i18n.conftest import text


def _partner(name: str) -> Partner:
    return db.session.scalars(sa.select(Partner).where(Partner.name == name)).one()


def test_zhao_and_zhou_read_the_portal_in_chinese_the_rest_stays_english(runner, portal_client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0

    assert db.session.scalars(sa.select(Practice.locale)).one() == "en"
    assert set(db.session.scalars(sa.select(User.locale))) == {"en"}
    languages = {p.name: p.locale for p in db.session.scalars(sa.select(Partner))}
    assert languages["Zhao Lei"] == languages["Zhou Ting"] == "zh_Hans"
    assert {languages[n] for n in ("Chen Jing", "Wang Hao", "Liu Jia", "Sun Wei")} == {"en"}

    ting = portal_client(_partner("Zhou Ting")).get("/portal/")
    jing = portal_client(_partner("Chen Jing")).get("/portal/")

    assert re.search(r'<html lang="zh-Hans"', text(ting)) and "提醒" in text(ting)
    assert re.search(r'<html lang="en"', text(jing)) and "Reminders" in text(jing)


def test_what_zhao_and_zhou_wrote_in_the_demo_is_chinese(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    couple = db.session.scalars(sa.select(Couple).where(Couple.case_label == "Zhao & Zhou")).one()

    entries = db.session.scalars(
        sa.select(ExceptionEntry.context).where(ExceptionEntry.couple_id == couple.id)
    ).all()

    assert entries and all(re.search(r"[\u4e00-\u9fff]", context) for context in entries)
    assert "今天早上我桌上有一杯茉莉花茶。" in entries
