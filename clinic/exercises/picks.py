"""The choices a picks field offers one partner (see catalogue.schema.PICK_SOURCES).

Each option has a key (what the form posts and the answer keeps) and a label (what the partner
reads, and what the clinician sees with the submission). Their own latest action menu is read
here; their own exception-log entries by clinic.records.picks (records is the feature above).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ..couples.models import Partner
from ..domain import SubmissionState
from ..extensions import db
from .models import Submission

MENU = "action-menu"


@dataclass(frozen=True)
class PickOption:
    key: str  # digits or letters only: it is part of input names (a-<field>-<key>-<sub>)
    label: str


Options = Sequence[PickOption]


def text_key(text: str) -> str:
    """A stable key for an option that is a text (an action): the same words, the same key."""
    return "m" + hashlib.sha256(text.casefold().encode("utf-8")).hexdigest()[:12]


def menu_options(partner: Partner) -> list[PickOption]:
    """The actions of the partner's own latest action menu they sent (none before they wrote one)."""
    answers = db.session.scalar(
        sa.select(Submission.answers)
        .where(Submission.partner_id == partner.id, Submission.couple_id == partner.couple_id,
               Submission.exercise_key == MENU, Submission.state == SubmissionState.SUBMITTED)
        .order_by(Submission.submitted_at.desc(), Submission.id.desc()).limit(1)
    )
    actions = [a for a in (answers or {}).get("actions") or [] if isinstance(a, str) and a.strip()]
    return list({text_key(a): PickOption(text_key(a), a) for a in actions}.values())
