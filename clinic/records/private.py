"""What each partner wrote that does not reach the other: the words of their exception entries,
scale placements and exercise answers they kept private (or that a safety flag holds back), and
their safety check-ins. A joint release of a note leaves these words out of the clinician's text
(clinic.notes.release). Reads only."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from ..exercises.models import Assignment, Submission
from ..extensions import db
from ..safety.models import SafetyCheckin
from .models import ExceptionEntry, ScalePlacement

WORDS = {
    "exception": (ExceptionEntry, ("context", "behaviour", "thoughts", "feelings", "meaning")),
    "scale": (ScalePlacement, ("movement", "keeps_from_lower", "one_higher")),
}


def texts_in(value) -> list[str]:
    """Every text inside an answer (a string, or lists and mappings of them)."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list | tuple):
        return [t for item in value for t in texts_in(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in texts_in(item)]
    return []


def _reaches_both(kind: str, row_id: int, shared: bool, hold: set | None) -> bool:
    return bool(shared) and (hold is None or (kind, row_id) in hold)


def private_words(couple_id: int, hold: set | None) -> dict[int, list[str]]:
    """Partner id -> the texts they wrote that do not reach the other partner. `hold`: the shares
    a safety flag let through (safety.services.sharing_hold), None without a flag."""
    out: dict[int, list[str]] = defaultdict(list)
    for kind, (model, fields) in WORDS.items():
        words = [getattr(model, f) for f in fields]
        columns = [model.id, model.partner_id, model.shared_with_partner, *words]
        for row in db.session.execute(sa.select(*columns).where(model.couple_id == couple_id)):
            if not _reaches_both(kind, row.id, row.shared_with_partner, hold):
                out[row.partner_id] += [t for t in row[3:] if t and t.strip()]
    for row in db.session.execute(
        sa.select(Submission.id, Submission.partner_id, Submission.shared_with_partner, Submission.answers,
                  Assignment.joint)
        .join(Assignment, Assignment.id == Submission.assignment_id).where(Submission.couple_id == couple_id)
    ):
        # Work done together is both partners' own; anything else reaches the other only if shared.
        if not row.joint and not _reaches_both("submission", row.id, row.shared_with_partner, hold):
            out[row.partner_id] += texts_in(row.answers)
    for partner_id, answers in db.session.execute(
        sa.select(SafetyCheckin.partner_id, SafetyCheckin.answers).where(SafetyCheckin.couple_id == couple_id)
    ):
        out[partner_id] += texts_in(answers)
    return dict(out)
