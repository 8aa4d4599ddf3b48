"""The demo keeps the case study's pace: Zhao Lei and Zhou Ting move from 1-2 to 5 over about six
weeks ("Six weeks later, their scale score rose ... to 5"), not in three."""

from itertools import pairwise

import sqlalchemy as sa

from clinic.couples.models import Couple, Partner
from clinic.exercises.models import Assignment, Submission
from clinic.extensions import db
from clinic.records.models import ScalePlacement


def test_zhao_and_zhou_first_reach_5_about_six_weeks_after_their_first_placement(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    couple = db.session.scalars(sa.select(Couple).where(Couple.case_label == "Zhao & Zhou")).one()

    for partner in db.session.scalars(sa.select(Partner).where(Partner.couple_id == couple.id)):
        placements = db.session.execute(
            sa.select(ScalePlacement.placed_on, ScalePlacement.value)
            .where(ScalePlacement.partner_id == partner.id).order_by(ScalePlacement.placed_on)
        ).all()
        first_day, first_value = placements[0]
        assert first_value <= 2, partner.name
        reached = [day for day, value in placements if value >= 5]
        assert reached, partner.name
        assert (reached[0] - first_day).days >= 35, (partner.name, placements)
        # Gradual: no jump of more than one point between placements.
        values = [value for _, value in placements]
        assert all(later - earlier <= 1 for earlier, later in pairwise(values)), values


def test_zhao_and_zhou_read_their_history_for_exceptions_together(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    couple = db.session.scalars(sa.select(Couple).where(Couple.case_label == "Zhao & Zhou")).one()

    together = db.session.scalars(sa.select(Assignment).where(
        Assignment.couple_id == couple.id, Assignment.exercise_key == "pattern-recognition")).one()
    assert together.joint and together.partner_id is None
    sent = db.session.scalars(sa.select(Submission).where(Submission.assignment_id == together.id)).one()
    assert sent.state == "submitted" and "善意" in sent.answers["clue"]
