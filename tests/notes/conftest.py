"""Builders for the session-note tests: a practice with people in every role, a couple with
records, and notes written through the services."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from clinic.extensions import db

TODAY = datetime.now(UTC).date()


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


@dataclass
class World:
    owner: object
    clinician: object  # the couple's primary clinician
    colleague: object  # a clinician of the same practice without this couple
    supervisor: object
    outsider: object  # a clinician of another practice
    outside_owner: object  # the owner of another practice
    couple: object

    @property
    def a(self):
        return self.couple.partners[0]

    @property
    def b(self):
        return self.couple.partners[1]


@pytest.fixture
def world(make_practice, make_user, make_couple) -> World:
    practice = make_practice("Harbour Lane Practice")
    elsewhere = make_practice("Elsewhere Practice")
    clinician = make_user(practice, name="Dr Ruth Amsel", email="ruth@example.org")
    return World(
        owner=make_user(practice, role="owner", name="Olive Owner", email="olive@example.org"),
        clinician=clinician,
        colleague=make_user(practice, name="Colin Colleague"),
        supervisor=make_user(practice, role="supervisor"),
        outsider=make_user(elsewhere),
        outside_owner=make_user(elsewhere, role="owner"),
        couple=make_couple(clinician, label="Chen & Lee", a="陈静", b="Mark Lee"),
    )


@pytest.fixture
def add_exception(app):
    from clinic.records.models import ExceptionEntry
    from clinic.records.services import add_in_session

    def add(world: World, partner, occurred_on: date, context: str, *, created: date | None = None,
            **more):
        entry = add_in_session(
            world.clinician, world.couple.id, partner.id, "exception",
            {"date": occurred_on.isoformat(), "context": context, **more}, shared=False,
        )
        if created is not None:  # written in the portal on another day
            stamp = datetime.combine(created, datetime.min.time(), UTC) + timedelta(hours=20)
            db.session.execute(
                sa.update(ExceptionEntry).where(ExceptionEntry.id == entry.id).values(created_at=stamp)
            )
            db.session.commit()
        return entry

    return add


@pytest.fixture
def add_scale(app):
    from clinic.records.services import add_in_session

    def add(world: World, partner, placed_on: date, value: int):
        return add_in_session(
            world.clinician, world.couple.id, partner.id, "scale",
            {"date": placed_on.isoformat(), "value": str(value)}, shared=False,
        )

    return add


SECTION_TEXT = {
    "problem_name": "the Silence",
    "problem_effects": "The Silence moved in after the move and kept them apart at dinner.",
    "difficulties": "Money worries still press on both of them.",
    "unique_outcomes": "Twice this week they talked through the Silence instead of around it.",
    "resources": "Long walks; Mark's humour; Jing's sister.",
    "preferred_future": "Sunday mornings with coffee and plans.",
    "scale_notes": "Both moved up after the walk on Thursday.",
    "working": "Walking while talking.",
    "try_differently": "Evening talks after 10 pm did not fit; try mornings.",
    "own_words": "Jing: “We found our way back to each other.”",
    "review": "Agreed last time: a walk on Sunday. They walked twice.",
    "next_steps": "One morning walk together; keep the exception log.",
}


@pytest.fixture
def section_text() -> dict:
    return dict(SECTION_TEXT)


@pytest.fixture
def write_note(app):
    from clinic.notes.services import NoteInput, create_note

    def write(world: World, *, by=None, session_date: date | None = None, cited=(), scale=None,
              **sections):
        text = {**SECTION_TEXT, **sections}
        return create_note(
            by or world.clinician, world.couple.id,
            NoteInput(
                session_date=session_date or TODAY, duration_minutes=50, attendees="both",
                sections=text, cited_exception_ids=list(cited),
                scale_today=scale if scale is not None else {"A": 6, "B": 5},
            ),
        )

    return write
