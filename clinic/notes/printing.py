"""Plain data for the printed note: built from the note once, so the PDF template never queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from markupsafe import Markup

from ..domain import Attendees
from ..i18n import current_language, pattern
from ..records.progress import chart_of
from ..timeutil import utcnow
from . import release, snapshot
from .prefill import ExceptionQuote
from .sections import SECTIONS


@dataclass(frozen=True)
class PrintSection:
    key: str
    title: str
    text: str


@dataclass(frozen=True)
class PrintScale:
    name: str
    position: str
    value: int | None


@dataclass(frozen=True)
class PrintAddendum:
    author: str
    signed_at: str
    text: str
    content_hash: str
    verified: bool


@dataclass(frozen=True)
class NotePrint:
    practice_name: str
    case_label: str
    partners: list[str]
    session_date: str
    duration_minutes: int
    attendees: str
    clinician: str
    problem_name: str
    sections: list[PrintSection]
    quotes: list[ExceptionQuote]
    scale: list[PrintScale]
    chart_svg: Markup  # built by clinic.records.chart, which escapes every text it draws
    chart_title: str
    signer: str
    signed_at: str
    content_hash: str
    verified: bool
    addenda: list[PrintAddendum]
    sealed: bool
    seal_required: bool
    seal_ok: bool
    seal_key: str
    exported_by: str
    exported_at: str
    practice_address: str = ""
    clinician_credentials: str = ""
    joint: bool = False  # the version released to the couple together
    withheld: list[str] = field(default_factory=list)  # what that version leaves out, and whose
    individual: bool = False  # one partner's session: never released jointly
    withheld_scale: list[str] = field(default_factory=list)  # the same for the chart's placements
    withheld_words: list[str] = field(default_factory=list)  # whose private words the text loses
    withheld_today: list[str] = field(default_factory=list)  # whose scale today is left out


def long_date(day) -> str:
    """The session's day written out in the language being written (28 November 2026, 2026年11月28日)."""
    return format_date(day, pattern("long", current_language()))


def utc_stamp(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def attendees_label(attendees: str, names: dict[str, str]) -> str:
    if attendees == "both":
        return _("Both partners: %(names)s", names=_(" and ").join(names.values()))
    name = names.get(attendees) or _("Partner %(position)s", position=attendees)
    return _("%(name)s only", name=name)


def _release(quotes: list[ExceptionQuote], joint: bool,
             hold: set | None) -> tuple[list[ExceptionQuote], list[str]]:
    """The quotes a version shows; a joint release leaves out each partner's private words, and
    while a safety flag holds shares back (`hold`), the shared ones not let through, without a
    word: the flag is the clinicians' alone."""
    if not joint:
        return quotes, []
    if hold is not None:
        quotes = [q for q in quotes if q.private or ("exception", q.id) in hold]
    left_out = Counter(q.partner_name for q in quotes if q.private)
    withheld = [
        ngettext("%(num)d entry private to %(name)s is left out of this joint release.",
                 "%(num)d entries private to %(name)s are left out of this joint release.",
                 number, name=name)
        for name, number in left_out.items()
    ]
    return [q for q in quotes if not q.private], withheld


def _joint_text(sections: dict, partners: list, private_words: dict[int, list[str]]):
    """The sections of a joint release with each partner's private words taken out, and a line
    for each partner whose words were (clinic.notes.release)."""
    out, lines = dict(sections), []
    for p in partners:
        private = release.runs(private_words.get(p["id"], []))
        hit = False
        for key, text in out.items():
            out[key], found = release.redact(text or "", private)
            hit = hit or found
        if hit:
            lines.append(_("Words %(name)s kept private are left out of this joint release "
                           "(marked %(mark)s).", name=p["display_name"], mark=release.LEFT_OUT))
    return out, lines


def _joint_scale(frozen: dict, scale_today: dict, hold: set | None):
    """The scale today a joint release prints: a partner's only when it is their latest
    placement and that reaches both; a line for each one left out."""
    kept, lines = {}, []
    for p in frozen["partners"]:
        value = scale_today.get(p["position"])
        if release.shared_today(frozen["scale"].get(str(p["id"]), []), value, hold):
            kept[p["position"]] = value
        elif value is not None:
            lines.append(_("%(name)s's scale today is left out of this joint release: it is not a "
                           "placement they shared.", name=p["display_name"]))
    return kept, lines


def note_print(note, verification, frozen: dict, *, exported_by: str, joint: bool = False,
               hold: set | None = None, private_words: dict[int, list[str]] | None = None) -> NotePrint:
    """Everything the PDF shows, as plain values (render_pdf refuses ORM objects).

    `frozen` is the note's snapshot (clinic.notes.snapshot): the partners, quotes and chart
    data as they were when it was signed, so the PDF reads the same on any later day. `hold`:
    for a joint release of a couple with a safety flag, the shares let through (see
    safety.services.sharing_hold); None when nothing is held. `private_words`: for a joint
    release, partner id -> what they wrote that does not reach the other (records.private).
    """
    partners = frozen["partners"]
    names = {p["position"]: p["display_name"] for p in partners}
    sections, scale_today = note.sections or {}, note.scale_today or {}
    withheld_words, withheld_today = [], []
    if joint:
        sections, withheld_words = _joint_text(sections, partners, private_words or {})
        scale_today, withheld_today = _joint_scale(frozen, scale_today, hold)
    chart = chart_of(
        snapshot.series_of(frozen, joint=joint, hold=hold), snapshot.stages_of(frozen),
        snapshot.sessions_of(frozen, joint=joint),
        title=_("Scale placements up to this session (1 to 10)"),
    )
    quotes, withheld = _release(snapshot.quotes_of(frozen), joint, hold)
    withheld_scale = [] if not joint else [
        ngettext("%(num)d scale placement private to %(name)s is left out of this joint release.",
                 "%(num)d scale placements private to %(name)s are left out of this joint release.",
                 number, name=name)
        for name, number in snapshot.private_placements(frozen).items()
    ]
    return NotePrint(
        practice_name=frozen.get("practice", {}).get("name") or note.clinician.practice.name,
        practice_address=frozen.get("practice", {}).get("address") or "",
        clinician_credentials=frozen.get("clinician", {}).get("credentials") or "",
        case_label=note.couple.case_label,
        partners=[
            p["name"] if p["display_name"] == p["name"] else f"{p['name']} ({p['display_name']})"
            for p in partners
        ],
        session_date=long_date(note.session_date),
        duration_minutes=note.duration_minutes,
        attendees=attendees_label(note.attendees, names),
        clinician=note.clinician.name,
        problem_name=sections.get("problem_name", ""),
        sections=[PrintSection(s.key, _(s.title), sections.get(s.key, "")) for s in SECTIONS],
        quotes=quotes,
        joint=joint,
        withheld=withheld,
        withheld_words=withheld_words,
        withheld_today=withheld_today,
        individual=note.attendees != Attendees.BOTH,
        withheld_scale=withheld_scale,
        scale=[
            PrintScale(name, position, scale_today.get(position)) for position, name in names.items()
        ],
        chart_svg=chart.svg,
        chart_title=chart.title,
        signer=note.signed_by.name,
        signed_at=utc_stamp(note.signed_at),
        content_hash=note.content_hash,
        verified=verification.note_ok,
        sealed=verification.sealed,
        seal_required=verification.required,
        seal_ok=verification.seal_ok and verification.addenda_sealed_ok,
        seal_key=verification.key_id or "",
        addenda=[
            PrintAddendum(
                author=a.author.name, signed_at=utc_stamp(a.signed_at), text=a.text,
                content_hash=a.content_hash, verified=verification.addenda_ok.get(a.id, False),
            )
            for a in sorted(note.addenda, key=lambda a: (a.signed_at, a.id))
        ],
        exported_by=exported_by,
        exported_at=utc_stamp(utcnow()),
    )
