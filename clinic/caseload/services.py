"""Which couples of a caseload need a look: a fall on the scale, or a long silence."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from ..couples.models import Couple, Partner
from ..couples.services import caseload_query
from ..exercises.models import Submission
from ..extensions import db
from ..notes.models import SessionNote
from ..records import rules
from ..records.models import ExceptionEntry, ScalePlacement
from ..timeutil import as_utc, utcnow


@dataclass(frozen=True)
class Attention:
    couple_id: int
    case_label: str
    reasons: list[str]


def attention(user) -> list[Attention]:
    """Active couples of the user's caseload that need a look: a partner's scale fell by the
    drop threshold since the last session, or nothing came in for ATTENTION_INACTIVE_DAYS.

    Five queries for the whole caseload, however many couples and placements it has.
    """
    config = current_app.config
    couples = db.session.execute(
        caseload_query(user)
        .where(Couple.status == "active")
        .with_only_columns(Couple.id, Couple.case_label, Couple.created_at)
    ).all()
    if not couples:
        return []
    ids = [c.id for c in couples]
    names = dict(
        db.session.execute(
            sa.select(Partner.id, sa.func.coalesce(Partner.preferred_name, Partner.name)).where(
                Partner.couple_id.in_(ids)
            )
        ).all()
    )
    placements: dict[tuple[int, int], list[tuple[date, int]]] = {}
    for couple_id, partner_id, day, value in db.session.execute(
        sa.select(
            ScalePlacement.couple_id, ScalePlacement.partner_id, ScalePlacement.placed_on,
            ScalePlacement.value,
        )
        .where(ScalePlacement.couple_id.in_(ids))
        .order_by(ScalePlacement.placed_on, ScalePlacement.id)
    ):
        placements.setdefault((couple_id, partner_id), []).append((day, value))
    last_session = dict(
        db.session.execute(
            sa.select(SessionNote.couple_id, sa.func.max(SessionNote.session_date))
            .where(SessionNote.couple_id.in_(ids))
            .group_by(SessionNote.couple_id)
        ).all()
    )
    activity_sources = sa.union_all(
        sa.select(Submission.couple_id.label("cid"), Submission.submitted_at.label("at")).where(
            Submission.state == "submitted"
        ),
        sa.select(ExceptionEntry.couple_id, ExceptionEntry.created_at).where(
            ExceptionEntry.source == "portal"
        ),
        sa.select(ScalePlacement.couple_id, ScalePlacement.created_at).where(
            ScalePlacement.source == "portal"
        ),
    ).subquery()
    last_activity = dict(
        db.session.execute(
            sa.select(activity_sources.c.cid, sa.func.max(activity_sources.c.at))
            .where(activity_sources.c.cid.in_(ids))
            .group_by(activity_sources.c.cid)
        ).all()
    )

    now = utcnow()
    result = []
    for couple in couples:
        reasons = []
        for (couple_id, partner_id), points in sorted(placements.items()):
            if couple_id != couple.id:
                continue
            reference = rules.reference_value(points, last_session.get(couple.id))
            if rules.dropped(reference, points[-1][1], config["SCALE_DROP_THRESHOLD"]):
                fell = rules.drop(reference, points[-1][1])
                name = names.get(partner_id) or _("A partner")
                reasons.append(
                    ngettext("%(name)s's scale fell %(num)d point since the last session",
                             "%(name)s's scale fell %(num)d points since the last session", fell, name=name)
                    if last_session.get(couple.id) else
                    ngettext("%(name)s's scale fell %(num)d point since last time",
                             "%(name)s's scale fell %(num)d points since last time", fell, name=name)
                )
        last = as_utc(last_activity.get(couple.id))
        days = config["ATTENTION_INACTIVE_DAYS"]
        if rules.inactive(last, as_utc(couple.created_at), now, days):
            quiet = (now - (last or as_utc(couple.created_at))).days
            reasons.append(ngettext(
                "Nothing submitted for %(num)d day", "Nothing submitted for %(num)d days", quiet
            ))
        if reasons:
            result.append(Attention(couple.id, couple.case_label, reasons))
    return result
