"""Plain-data views of change: the dyadic scale trend, flags, the exception patterns."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app

from ..couples.models import Couple, CoupleChange
from ..extensions import db
from ..timeutil import as_utc
from . import rules
from .chart import Chart, Marker, Point, Series, scale_chart
from .models import TAG_CATEGORIES, ExceptionEntry, ExceptionTag, ScalePlacement


@dataclass(frozen=True)
class PartnerTrend:
    partner_id: int
    name: str
    first: tuple[date, int] | None
    latest: tuple[date, int] | None
    reference: int | None
    dropped_by: int
    dropped: bool

    @property
    def change(self) -> int | None:
        if self.first is None or self.latest is None:
            return None
        return self.latest[1] - self.first[1]


@dataclass(frozen=True)
class Progress:
    chart: Chart
    partners: list[PartnerTrend]
    diverged: bool
    gap: int | None
    last_session: date | None
    markers: list[Marker] = field(default_factory=list)

    @property
    def any_drop(self) -> bool:
        return any(p.dropped for p in self.partners)


def session_days(couple_id: int) -> list[date]:
    """Days of the couple's sessions (from session notes, once that feature records them)."""
    from ..notes.services import session_days as note_days  # notes build on records

    return note_days(couple_id)


def _markers(couple: Couple, sessions: list[date]) -> list[Marker]:
    stage_changes = db.session.scalars(
        sa.select(CoupleChange)
        .where(CoupleChange.couple_id == couple.id, CoupleChange.kind.in_(("created", "stage")))
        .order_by(CoupleChange.changed_at)
    )
    markers = [
        Marker(day=as_utc(c.changed_at).date(), label=f"Stage {c.to_value}", kind="stage")
        for c in stage_changes
    ]
    markers += [Marker(day=d, label=f"S{i}", kind="session") for i, d in enumerate(sessions, 1)]
    return sorted(markers, key=lambda m: (m.day, m.kind))


def _labels(partners) -> dict[int, str]:
    """Each partner's name on the chart; partners who go by the same name get their letter too
    (the chart's series, its table columns and the flags must tell them apart)."""
    names = [p.display_name for p in partners]
    return {
        p.id: p.display_name if names.count(p.display_name) == 1 else f"{p.display_name} ({p.position})"
        for p in partners
    }


def couple_progress(couple: Couple, *, partner=None, title: str | None = None) -> Progress:
    """The scale trend of both partners (or of one, for that partner's own portal page).

    Two queries whatever the number of placements: placements, stage changes (plus the
    sessions query of the notes feature).
    """
    partners = [partner] if partner is not None else list(couple.partners)
    query = sa.select(
        ScalePlacement.partner_id, ScalePlacement.placed_on, ScalePlacement.value
    ).where(ScalePlacement.couple_id == couple.id)
    if partner is not None:
        query = query.where(ScalePlacement.partner_id == partner.id)
    rows = db.session.execute(query.order_by(ScalePlacement.placed_on, ScalePlacement.id)).all()
    by_partner: dict[int, list[tuple[date, int]]] = {p.id: [] for p in partners}
    for partner_id, day, value in rows:
        by_partner.setdefault(partner_id, []).append((day, value))

    sessions = session_days(couple.id)
    last_session = sessions[-1] if sessions else None
    drop_threshold = current_app.config["SCALE_DROP_THRESHOLD"]
    labels = _labels(partners)
    trends = []
    for p in partners:
        points = by_partner.get(p.id, [])
        latest = points[-1] if points else None
        reference = rules.reference_value(points, last_session)
        latest_value = latest[1] if latest else None
        trends.append(
            PartnerTrend(
                partner_id=p.id, name=labels[p.id], first=points[0] if points else None,
                latest=latest, reference=reference, dropped_by=rules.drop(reference, latest_value),
                dropped=rules.dropped(reference, latest_value, drop_threshold),
            )
        )
    latest_values = [t.latest[1] if t.latest else None for t in trends]
    gap = None
    if len(latest_values) == 2 and None not in latest_values:
        gap = abs(latest_values[0] - latest_values[1])
    markers = _markers(couple, sessions) if partner is None else []
    series = [
        Series(label=labels[p.id], points=tuple(Point(d, v) for d, v in by_partner.get(p.id, [])))
        for p in partners
    ]
    chart = scale_chart(
        series, markers, title=title or "Scale placements over time (1 to 10)",
    )
    return Progress(
        chart=chart,
        partners=trends,
        diverged=len(latest_values) == 2
        and rules.diverged(*latest_values, current_app.config["SCALE_DIVERGENCE_THRESHOLD"]),
        gap=gap,
        last_session=last_session,
        markers=markers,
    )


@dataclass(frozen=True)
class PatternCount:
    category: str
    label: str
    values: list[tuple[str, int]]  # (value, number of entries), most frequent first


def patterns(couple_id: int, *, partner_ids: list[int] | None = None) -> list[PatternCount]:
    """Under which conditions exceptions come: tag values counted per category (one query)."""
    query = (
        sa.select(ExceptionTag.category, ExceptionTag.value, sa.func.count(ExceptionTag.id))
        .join(ExceptionEntry, ExceptionTag.entry_id == ExceptionEntry.id)
        .where(ExceptionTag.couple_id == couple_id)
        .group_by(ExceptionTag.category, ExceptionTag.value)
    )
    if partner_ids is not None:
        query = query.where(ExceptionEntry.partner_id.in_(partner_ids))
    # A value is the same condition in any case (as when tagging: "A walk" on an entry tagged
    # "a walk" adds nothing), so spellings are counted together under the most used one.
    spellings: dict[str, dict[str, Counter]] = {key: {} for key in TAG_CATEGORIES}
    for category, value, number in db.session.execute(query):
        spellings[category].setdefault(value.lower(), Counter())[value] += number
    return [
        PatternCount(
            category=key, label=label,
            values=sorted(
                (
                    (min(found, key=lambda v: (-found[v], v)), sum(found.values()))
                    for found in spellings[key].values()
                ),
                key=lambda item: (-item[1], item[0].lower()),
            ),
        )
        for key, label in TAG_CATEGORIES.items()
    ]


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
    from ..couples.models import Partner
    from ..couples.services import caseload_query
    from ..exercises.models import Submission
    from ..notes.models import SessionNote
    from ..timeutil import utcnow

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
            fell = rules.drop(reference, points[-1][1])
            if fell >= config["SCALE_DROP_THRESHOLD"]:
                since = "since the last session" if last_session.get(couple.id) else "since last time"
                reasons.append(f"{names.get(partner_id, 'A partner')}'s scale fell {fell} points {since}")
        last = as_utc(last_activity.get(couple.id))
        days = config["ATTENTION_INACTIVE_DAYS"]
        if rules.inactive(last, as_utc(couple.created_at), now, days):
            reasons.append(f"Nothing submitted for {(now - (last or as_utc(couple.created_at))).days} days")
        if reasons:
            result.append(Attention(couple.id, couple.case_label, reasons))
    return result
