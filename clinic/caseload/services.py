"""Which couples of a caseload need a look: a fall on the scale, or a long silence."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from ..couples.models import Couple, Partner
from ..couples.services import caseload_query
from ..domain import CoupleStatus, Source, SubmissionState
from ..exercises.models import Submission
from ..extensions import db
from ..notes.models import SessionNote
from ..records import rules
from ..records.models import ExceptionEntry, ScalePlacement
from ..safety.signals import SignalView, unseen_for
from ..timeutil import utcnow


@dataclass(frozen=True)
class Attention:
    couple_id: int
    case_label: str
    reasons: list[str]
    # Danger words in a partner's text the clinician has not looked at yet (these come first).
    signals: list[SignalView] = field(default_factory=list)


def _latest(column, model, *conditions, offset: int = 0):
    """The newest `column` among `model`'s rows meeting `conditions`, newest by (order, id):
    an index seek per row of the outer query (its LIMIT stops at the first row found)."""
    order = model.placed_on if model is ScalePlacement else column
    return (
        sa.select(column).where(*conditions).order_by(order.desc(), model.id.desc())
        .limit(1).offset(offset).correlate_except(model).scalar_subquery()
    )


def _last_portal_activity(couple_id):
    """When the newest item came in from the portal (submission, exception entry or placement):
    three seeks on the (couple, time) indexes, newest first, instead of a maximum over every row."""
    times = [
        _latest(Submission.submitted_at, Submission, Submission.couple_id == couple_id,
                Submission.state == SubmissionState.SUBMITTED, Submission.submitted_at.is_not(None)),
        _latest(ExceptionEntry.created_at, ExceptionEntry, ExceptionEntry.couple_id == couple_id,
                ExceptionEntry.source == Source.PORTAL),
        _latest(ScalePlacement.created_at, ScalePlacement, ScalePlacement.couple_id == couple_id,
                ScalePlacement.source == Source.PORTAL),
    ]
    return times


def attention(user) -> list[Attention]:
    """Active couples of the user's caseload that need a look: a partner's scale fell by the
    drop threshold since the last session, or nothing came in for ATTENTION_INACTIVE_DAYS.

    One query, one row per partner: the latest placement, the one before it and the latest the
    couple's last note saw (placed before its session day, or on it before the note was written)
    are each an index seek per partner (partner, day), the
    last session a seek on (couple, date), the last portal activity three seeks on (couple, time).
    Nothing reads a couple's whole history.
    """
    config = current_app.config
    couples = caseload_query(user).where(Couple.status == CoupleStatus.ACTIVE).with_only_columns(Couple.id)
    # Correlated to the outer query's partner, also where it sits inside a placement subquery
    # (left to itself it would take a partner table of its own: the latest session of all).
    last_session = (
        sa.select(sa.func.max(SessionNote.session_date))
        .where(SessionNote.couple_id == Partner.couple_id).correlate_except(SessionNote)
        .scalar_subquery()
    )
    # When the latest note was last written (signed, or saved as a draft): a placement later on
    # its session day is news, measured against what the note saw (records.rules.note_cutoff).
    written = (
        sa.select(sa.func.coalesce(SessionNote.signed_at, SessionNote.updated_at))
        .where(SessionNote.couple_id == Partner.couple_id)
        .order_by(SessionNote.session_date.desc(), SessionNote.id.desc())
        .limit(1).correlate_except(SessionNote).scalar_subquery()
    )
    own = ScalePlacement.partner_id == Partner.id
    rows = db.session.execute(
        sa.select(
            Couple.id, Couple.case_label, Couple.created_at, Partner.id.label("partner_id"),
            sa.func.coalesce(Partner.preferred_name, Partner.name).label("name"),
            last_session.label("last_session"),
            _latest(ScalePlacement.value, ScalePlacement, own).label("latest"),
            _latest(ScalePlacement.value, ScalePlacement, own, offset=1).label("previous"),
            _latest(ScalePlacement.value, ScalePlacement, own, sa.or_(
                ScalePlacement.placed_on < last_session,
                sa.and_(ScalePlacement.placed_on == last_session,
                        ScalePlacement.created_at <= written),
            )).label("before_session"),
            *(t.label(f"activity_{n}") for n, t in enumerate(_last_portal_activity(Couple.id))),
        )
        .join(Partner, Partner.couple_id == Couple.id)
        .where(Couple.id.in_(couples))
        .order_by(Couple.last_activity_at.desc(), Couple.id.desc(), Partner.position)
    ).all()

    now = utcnow()
    days = config["ATTENTION_INACTIVE_DAYS"]
    by_couple: dict[int, list] = {}
    for row in rows:
        by_couple.setdefault(row.id, []).append(row)
    danger = unseen_for(list(by_couple))
    result = []
    for couple_id, partners in by_couple.items():
        first = partners[0]
        reasons = []
        for row in partners:
            if row.last_session is not None and row.before_session is not None:
                reference = row.before_session
            else:
                reference = row.previous
            if rules.dropped(reference, row.latest, config["SCALE_DROP_THRESHOLD"]):
                fell = rules.drop(reference, row.latest)
                name = row.name or _("A partner")
                reasons.append(
                    ngettext("%(name)s's scale fell %(num)d point since the last session",
                             "%(name)s's scale fell %(num)d points since the last session", fell, name=name)
                    if row.last_session else
                    ngettext("%(name)s's scale fell %(num)d point since last time",
                             "%(name)s's scale fell %(num)d points since last time", fell, name=name)
                )
        seen = [t for t in (first.activity_0, first.activity_1, first.activity_2) if t]
        last = max(seen) if seen else None
        created = first.created_at
        if rules.inactive(last, created, now, days):
            quiet = (now - (last or created)).days
            reasons.append(ngettext(
                "Nothing submitted for %(num)d day", "Nothing submitted for %(num)d days", quiet
            ))
        found = danger.get(couple_id, [])
        if reasons or found:
            result.append(Attention(couple_id, first.case_label, reasons, found))
    # Words that may signal danger put their couple first (newest first): a prompt to look.
    def newest(a: Attention) -> float:
        return max(s.found_at.timestamp() for s in a.signals) if a.signals else 0.0

    return sorted(result, key=lambda a: (not a.signals, -newest(a)))
