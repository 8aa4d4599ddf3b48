"""Which couples of a caseload need a look: a fall on the scale, or a long silence."""

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from ..auth.models import User
from ..couples.models import Couple, Partner
from ..couples.services import caseload_query
from ..domain import CoupleStatus, Source, SubmissionState
from ..exercises.models import Submission
from ..extensions import db
from ..notes.models import SessionNote
from ..paging import PageLinks
from ..records import rules
from ..records.models import ExceptionEntry, ScalePlacement
from ..safety.signals import SignalView, unseen_in
from ..timeutil import utcnow


@dataclass(frozen=True)
class Attention:
    couple_id: int
    case_label: str
    reasons: list[str]
    # Danger words in a partner's text the clinician has not looked at yet (these come first).
    signals: list[SignalView] = field(default_factory=list)
    clinician: str | None = None  # whose caseload the couple is on (shown to the owner)


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


@dataclass(frozen=True)
class AttentionPage(PageLinks):
    """One page of the attention list: couples in caseload order (most recent activity first),
    those with unseen danger words ahead of them on the first page."""

    items: list[Attention]
    page: int
    has_next: bool
    pages = None  # not counted: that would walk the whole caseload (macros/ui.html pagination)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def attention(user, *, page: int = 1, per_page: int | None = None) -> AttentionPage:
    """Active couples of the user's caseload that need a look: a partner's scale fell by the
    drop threshold since the last session, or nothing came in for ATTENTION_INACTIVE_DAYS; and
    (first, on the first page) couples with danger words nobody looked at yet.

    A page at a time (ATTENTION_PAGE_SIZE couples), so that an owner's whole-practice list costs
    what one page costs, not what the practice holds. Two queries: the signals, and one row per
    partner of the page's couples. Which couples are on the page is decided in SQL, walking the
    caseload newest activity first and stopping at the page's end: for each partner the latest
    placement, the one before it and the latest the couple's last note saw (placed before its
    session day, or on it before the note was written) are each an index seek per partner
    (partner, day), the last session a seek on (couple, date), the last portal activity three
    seeks on (couple, time). Nothing reads a couple's whole history.
    """
    config = current_app.config
    per_page = per_page or config["ATTENTION_PAGE_SIZE"]
    now = utcnow()
    quiet_since = now - timedelta(days=config["ATTENTION_INACTIVE_DAYS"])
    active = caseload_query(user).where(Couple.status == CoupleStatus.ACTIVE)
    shown = unseen_in(active.with_only_columns(Couple.id)) if page == 1 else {}
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
    latest = _latest(ScalePlacement.value, ScalePlacement, own)
    previous = _latest(ScalePlacement.value, ScalePlacement, own, offset=1)
    before_session = _latest(ScalePlacement.value, ScalePlacement, own, sa.or_(
        ScalePlacement.placed_on < last_session,
        sa.and_(ScalePlacement.placed_on == last_session, ScalePlacement.created_at <= written),
    ))
    activity = _last_portal_activity(Couple.id)

    # The same rules as records.rules.dropped and .inactive, as conditions on a couple.
    reference = sa.case(
        (sa.and_(last_session.is_not(None), before_session.is_not(None)), before_session),
        else_=previous,
    )
    # A count, not EXISTS: PostgreSQL would turn an EXISTS into one pass over every partner of
    # the practice (a hashed subplan); a correlated count is asked for each couple walked.
    fell = (
        sa.select(sa.func.count()).select_from(Partner)
        .where(Partner.couple_id == Couple.id, reference - latest >= config["SCALE_DROP_THRESHOLD"])
        .correlate(Couple).scalar_subquery()
    ) > 0
    heard_lately = sa.or_(*(sa.func.coalesce(t > quiet_since, sa.false()) for t in activity))
    ever_heard = sa.or_(*(t.is_not(None) for t in activity))
    silent = sa.and_(sa.not_(heard_lately), sa.or_(ever_heard, Couple.created_at <= quiet_since))
    in_order = (Couple.last_activity_at.desc(), Couple.id.desc())
    on_page = (
        active.with_only_columns(Couple.id).where(sa.or_(fell, silent)).order_by(*in_order)
        .limit(per_page + 1).offset((page - 1) * per_page)
    )
    listed = Couple.id.in_(on_page.scalar_subquery())
    # Whether a row's couple is on the page (not only there for its signals): asked in SQL only
    # when signals add couples, so that the page's subquery runs once otherwise.
    rows = db.session.execute(
        sa.select(
            Couple.id, Couple.case_label, Couple.created_at,
            (listed if shown else sa.true()).label("listed"),
            Partner.id.label("partner_id"),
            sa.func.coalesce(Partner.preferred_name, Partner.name).label("name"),
            User.name.label("clinician"),
            last_session.label("last_session"), latest.label("latest"), previous.label("previous"),
            before_session.label("before_session"),
            *(t.label(f"activity_{n}") for n, t in enumerate(activity)),
        )
        .join(Partner, Partner.couple_id == Couple.id)
        .join(User, User.id == Couple.primary_clinician_id)
        .where(sa.or_(listed, Couple.id.in_(list(shown))) if shown else listed)
        .order_by(*in_order, Partner.position)
    ).all()

    days = config["ATTENTION_INACTIVE_DAYS"]
    by_couple: dict[int, list] = {}
    for row in rows:
        by_couple.setdefault(row.id, []).append(row)
    listed_ids = [couple_id for couple_id, partners in by_couple.items() if partners[0].listed]
    has_next = len(listed_ids) > per_page
    if has_next and listed_ids[-1] not in shown:  # the next page's first couple
        del by_couple[listed_ids[-1]]
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
        found = shown.get(couple_id, [])
        if reasons or found:
            result.append(Attention(couple_id, first.case_label, reasons, found, first.clinician))
    # Words that may signal danger put their couple first (newest first): a prompt to look.
    def newest(a: Attention) -> float:
        return max(s.found_at.timestamp() for s in a.signals) if a.signals else 0.0

    return AttentionPage(sorted(result, key=lambda a: (not a.signals, -newest(a))), page, has_next)
