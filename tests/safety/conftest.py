"""A practice with an owner, a clinician and one couple (Chen Jing & Wang Hao): the world the
safety flag and check-in tests share (a test module with its own `family` overrides it)."""

from types import SimpleNamespace

import pytest


@pytest.fixture
def family(make_practice, make_user, make_couple):
    practice = make_practice()
    owner = make_user(practice, role="owner")
    clinician = make_user(practice)
    couple = make_couple(clinician, a="Chen Jing", b="Wang Hao")
    a, b = couple.partners
    return SimpleNamespace(practice=practice, owner=owner, clinician=clinician, couple=couple, a=a, b=b)
