"""Plain-data views of change: the dyadic scale trend, flags, the exception patterns."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..couples.models import Couple, CoupleChange
from ..extensions import db
from ..timeutil import UTC
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


def _markers(couple: Couple, sessions: list[date]) -> list[Marker]:
    stage_changes = sorted(
        (c for c in couple.changes if c.kind in ("created", "stage")), key=lambda c: c.changed_at
    )
    markers = [
        Marker(day=c.changed_at.date(), label=_("Stage %(number)s", number=c.to_value), kind="stage")
        for c in stage_changes
    ]
    markers += [
        Marker(day=d, label=_("S%(number)d", number=i), kind="session")
        for i, d in enumerate(sessions, 1)
    ]
    return sorted(markers, key=lambda m: (m.day, m.kind))


# The portal's chart: its viewBox is about as wide as a phone's column, so 13 units stay 13 px.
PHONE_CHART = {"width": 320, "height": 240, "font_size": 13}


def _labels(partners) -> dict[int, str]:
    """Each partner's name on the chart; partners who go by the same name get their letter too
    (the chart's series, its table columns and the flags must tell them apart)."""
    names = [p.display_name for p in partners]
    return {
        p.id: p.display_name if names.count(p.display_name) == 1 else f"{p.display_name} ({p.position})"
        for p in partners
    }


def couple_progress(
    couple: Couple, sessions: list[date], *, partner=None, title: str | None = None,
    cutoff: tuple[date, datetime] | None = None, phone: bool = False,
) -> Progress:
    """The scale trend of both partners (or of one, for that partner's own portal page).

    `sessions` are the days of the couple's sessions, oldest first (the notes feature keeps
    them: `notes.services.session_days`). Two queries whatever the number of placements:
    placements and stage changes. `cutoff` is the last note's (session day, moment) from
    `notes.services.sessions_of`: a drop is measured from what that note could have seen.
    `phone` draws the chart for a phone-first page: narrow, so that scaled to a 324 px column
    its text is about 13 px.
    """
    partners = [partner] if partner is not None else list(couple.partners)
    query = sa.select(
        ScalePlacement.partner_id, ScalePlacement.placed_on, ScalePlacement.value,
        ScalePlacement.created_at,
    ).where(ScalePlacement.couple_id == couple.id)
    if partner is not None:
        query = query.where(ScalePlacement.partner_id == partner.id)
    rows = db.session.execute(query.order_by(ScalePlacement.placed_on, ScalePlacement.id)).all()
    by_partner: dict[int, list[tuple[date, int]]] = {p.id: [] for p in partners}
    created: dict[int, list[datetime]] = {p.id: [] for p in partners}
    for partner_id, day, value, made in rows:
        by_partner.setdefault(partner_id, []).append((day, value))
        created.setdefault(partner_id, []).append(made)

    last_session = sessions[-1] if sessions else None
    if cutoff is None and last_session is not None:
        # Without the note's moment, everything placed by the end of its day counts as seen.
        cutoff = (last_session, datetime.max.replace(tzinfo=UTC))
    drop_threshold = current_app.config["SCALE_DROP_THRESHOLD"]
    labels = _labels(partners)
    trends = []
    for p in partners:
        points = by_partner.get(p.id, [])
        latest = points[-1] if points else None
        reference = rules.reference_value(
            [(d, v, c) for (d, v), c in zip(points, created.get(p.id, []), strict=True)], cutoff
        )
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
        series, markers, title=title or _("Scale placements over time (1 to 10)"),
        **(PHONE_CHART if phone else {}),
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


def scale_history(couple_id: int, *, until: date,
                  created_by: datetime) -> list[tuple[int, date, int, bool, int]]:
    """(partner id, day, value, shared with the other partner, placement id) of every placement
    on or before `until` that existed at `created_by`, oldest first: the scale as a note signed
    then could see it."""
    return [
        tuple(row) for row in db.session.execute(
            sa.select(ScalePlacement.partner_id, ScalePlacement.placed_on, ScalePlacement.value,
                      ScalePlacement.shared_with_partner, ScalePlacement.id)
            .where(ScalePlacement.couple_id == couple_id, ScalePlacement.placed_on <= until,
                   ScalePlacement.created_at <= created_by)
            .order_by(ScalePlacement.placed_on, ScalePlacement.id)
        )
    ]


def stage_history(couple_id: int, *, until: date) -> list[tuple[date, int]]:
    """(day, stage number) of the couple's start and stage changes on or before `until`."""
    changes = db.session.execute(
        sa.select(CoupleChange.changed_at, CoupleChange.to_value)
        .where(CoupleChange.couple_id == couple_id, CoupleChange.kind.in_(("created", "stage")))
        .order_by(CoupleChange.changed_at)
    )
    found = [(at.date(), value) for at, value in changes]
    return [(day, int(value)) for day, value in found if day <= until and str(value).isdigit()]


def chart_of(series: list[tuple[str, list[tuple[date, int]]]], stages: list[tuple[date, int]],
             sessions: list[date], *, title: str) -> Chart:
    """The dyadic chart drawn from plain data (a signed note's snapshot), labelled in the
    reader's language like the live one."""
    markers = [Marker(day=d, label=_("Stage %(number)s", number=n), kind="stage") for d, n in stages]
    markers += [
        Marker(day=d, label=_("S%(number)d", number=i), kind="session")
        for i, d in enumerate(sessions, 1)
    ]
    return scale_chart(
        [Series(label=name, points=tuple(Point(d, v) for d, v in points)) for name, points in series],
        sorted(markers, key=lambda m: (m.day, m.kind)), title=title,
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
