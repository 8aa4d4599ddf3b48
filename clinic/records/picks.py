"""What a partner may pick in an exercise's picks fields: their own exception-log entries (never
the other partner's, shared or not) and their own action menu (clinic.exercises.picks)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import format_date

from ..couples.models import Partner
from ..exercises.catalogue import Exercise
from ..exercises.picks import PickOption, menu_options
from ..extensions import db
from .models import ExceptionEntry

# The newest entries offered; an exercise asks for a handful, and a phone page stays short.
OFFERED = 40
LABEL_WORDS = 160


def own_entries(partner: Partner) -> list[PickOption]:
    """The partner's own exception-log entries, newest first, labelled by day and context."""
    rows = db.session.execute(
        sa.select(ExceptionEntry.id, ExceptionEntry.occurred_on, ExceptionEntry.context)
        .where(ExceptionEntry.partner_id == partner.id, ExceptionEntry.couple_id == partner.couple_id)
        .order_by(ExceptionEntry.occurred_on.desc(), ExceptionEntry.id.desc()).limit(OFFERED)
    ).all()
    return [
        PickOption(str(row.id), f"{format_date(row.occurred_on, 'medium')}: {row.context[:LABEL_WORDS]}")
        for row in rows
    ]


SOURCES = {"exception_log": own_entries, "action_menu": menu_options}


def options_for(partner: Partner, exercise: Exercise,
                kept: dict | None = None) -> dict[str, list[PickOption]]:
    """Each picks field's options for this partner, by field key (empty for other exercises).

    `kept`: the answers stored so far. What they already chose stays offered, so on joint work
    an action the other partner picked from their own menu is neither hidden nor dropped when
    this partner saves (it reached the joint answer by that partner's choice)."""
    out = {}
    for f in exercise.fields:
        if f.kind != "picks":
            continue
        options = SOURCES[f.source](partner)
        known = {o.key for o in options}
        for group in (kept or {}).get(f.key) or []:
            if isinstance(group, dict) and str(group.get("pick")) not in known and group.get("label"):
                options.append(PickOption(str(group["pick"]), str(group["label"])))
                known.add(str(group["pick"]))
        out[f.key] = options
    return out
