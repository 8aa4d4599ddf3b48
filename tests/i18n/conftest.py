"""A couple whose partners read Chinese (Zhao Lei and Zhou Ting), in an English practice."""

from types import SimpleNamespace

import pytest

from clinic.extensions import db


@pytest.fixture
def zhao_zhou(make_practice, make_user, make_couple):
    practice = make_practice("Harbour Lane Couples Practice")
    clinician = make_user(practice, name="Mei Lin")
    couple = make_couple(clinician, label="Zhao & Zhou", a="Zhao Lei", b="Zhou Ting", stage=2)
    lei, ting = couple.partners
    lei.locale = ting.locale = "zh_Hans"
    lei.email = "lei@example.org"
    db.session.commit()
    return SimpleNamespace(practice=practice, clinician=clinician, couple=couple, lei=lei, ting=ting)


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def family_en(make_practice, make_user, make_couple):
    """Chen Jing and Wang Hao: English, as the practice is."""
    return make_couple(make_user(make_practice()), label="Chen & Wang")
