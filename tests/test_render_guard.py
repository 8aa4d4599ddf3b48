"""Under test a template cannot query (tests/render_guard.py): what it would load fails the test."""

import pytest
import sqlalchemy as sa
from flask import render_template_string
from sqlalchemy.orm import selectinload

from clinic.couples.models import Couple
from clinic.extensions import db
from tests.render_guard import TemplateQueried

PAGE = "{{ couple.case_label }}: {% for p in couple.partners %}{{ p.name }} {% endfor %}"


@pytest.fixture
def couple_id(make_user, make_couple):
    couple_id = make_couple(make_user(), label="Guarded", a="Chen Jing", b="Wang Hao").id
    db.session.commit()
    db.session.expunge_all()
    return couple_id


def test_a_relationship_loaded_by_the_template_fails(app, couple_id):
    couple = db.session.get(Couple, couple_id)  # partners not loaded

    with pytest.raises(TemplateQueried, match="FROM partner"):
        render_template_string(PAGE, couple=couple)


def test_an_object_expired_by_a_commit_fails(app, couple_id):
    couple = db.session.scalars(
        sa.select(Couple).where(Couple.id == couple_id).options(selectinload(Couple.partners))
    ).one()
    db.session.commit()  # what a service's audit record does before the page renders

    with pytest.raises(TemplateQueried, match="FROM couple"):
        render_template_string(PAGE, couple=couple)


def test_what_the_service_loaded_renders(app, couple_id):
    couple = db.session.scalars(
        sa.select(Couple).where(Couple.id == couple_id).options(selectinload(Couple.partners))
    ).one()

    assert render_template_string(PAGE, couple=couple) == "Guarded: Chen Jing Wang Hao "
