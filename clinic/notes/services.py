"""Use cases for session notes: the scoped getter, drafts, signing, addenda, verification, PDF.

A note is a draft until signed. Signing is one conditional UPDATE (it succeeds once, and only on
the draft content that was read); afterwards the service refuses every edit and only signed
addenda can be added. Every function that reads or writes client material records an audit event
in the same transaction and commits it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, format_number
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import NotFound

from ..audit.services import record, record_access
from ..couples.models import Couple
from ..couples.services import caseload_query, get_couple
from ..domain import Attendees, NoteStatus
from ..errors import DomainError
from ..extensions import db
from ..i18n import supported
from ..pdf import render_pdf
from ..records.private import private_words
from ..records.services import records_by_ids
from ..safety import services as safety
from ..timeutil import utcnow
from . import keys, seal, signing, snapshot
from . import prefill as gathering
from .inputs import NoteInput, clean
from .models import Addendum, SessionNote
from .prefill import ExceptionQuote, Prefill, gather, partner_names, quote
from .printing import note_print
from .sections import TEXT_MAX

# --- reading -----------------------------------------------------------------------------------

def get_note(user, note_id: int, *, fresh: bool = False, options=()) -> SessionNote:
    """The one place that decides who reaches a note: a note of a couple in the user's caseload.

    NotFound for supervisors, other practices and clinicians outside the couple's caseload.
    `fresh` reloads the row even if this session already holds the note (sessions keep objects
    across commits), for pages and exports that must show exactly what is stored.
    """
    couples = caseload_query(user).with_only_columns(Couple.id)
    query = sa.select(SessionNote).where(
        SessionNote.id == note_id, SessionNote.couple_id.in_(couples)).options(*options)
    if fresh:
        query = query.execution_options(populate_existing=True)
    note = db.session.scalar(query)
    if note is None:
        raise NotFound()
    return note


def view_note(user, note_id: int) -> SessionNote:
    """Open a note to read it, with the couple, people and addenda its page shows; the read is
    audited (in a short transaction of its own, which expires nothing)."""
    note = get_note(user, note_id, fresh=True, options=(
        selectinload(SessionNote.couple).selectinload(Couple.partners),
        selectinload(SessionNote.clinician), selectinload(SessionNote.signed_by),
        selectinload(SessionNote.addenda).selectinload(Addendum.author),
    ))
    record_access("note.view", user=user, object_type="note", object_id=note_id,
                  couple_id=note.couple_id)
    return note


def notes_for_couple(couple) -> list[SessionNote]:
    """A couple's notes, newest session first (for a page that already checked access)."""
    return list(
        db.session.scalars(
            sa.select(SessionNote)
            .where(SessionNote.couple_id == couple.id)
            .options(joinedload(SessionNote.clinician), joinedload(SessionNote.signed_by))
            .order_by(SessionNote.session_date.desc(), SessionNote.id.desc())
        )
    )


def session_days(couple_id: int, *, position: str | None = None) -> list[date]:
    """The days the couple had a session (one per note), oldest first. With `position` (a
    partner's portal): joint sessions and that partner's own individual ones only, so one
    partner's chart never shows that the other was seen alone."""
    query = sa.select(SessionNote.session_date).where(SessionNote.couple_id == couple_id)
    if position is not None:
        query = query.where(SessionNote.attendees.in_(("both", position)))
    return list(db.session.scalars(query.distinct().order_by(SessionNote.session_date)))


def sessions_of(notes: list[SessionNote]) -> tuple[list[date], tuple[date, datetime] | None]:
    """A couple's session days (oldest first) and its latest note as (session day, the moment it
    closed its record), from its notes (notes_for_couple): the couple page measures a fall on the
    scale from what that note could have seen."""
    days = sorted({n.session_date for n in notes})
    last = max(notes, key=lambda n: (n.session_date, n.id), default=None)
    return days, None if last is None else (last.session_date, gathering.cutoff(last))


def prefill(user, couple_id: int) -> Prefill:
    """What happened since the couple's last note, for a new draft. Saves nothing."""
    return gather(get_couple(user, couple_id))


def record_editor_view(user, couple_id: int, note_id: int | None = None) -> None:
    """The editor shows client material (entries, scale, assignments): audit each time it does.

    Kept apart from prefill(), which only reads, so that the demo and tests can call it freely.
    """
    record_access(
        "note.editor_view", user=user, object_type="note" if note_id else "couple",
        object_id=note_id or couple_id, couple_id=couple_id,
    )


def prefill_for_note(note: SessionNote) -> Prefill:
    """The same context for editing a draft: news since the note before it, plus what it cites."""
    context = gather(note.couple, before=note)
    offered = {q.id for q in context.exceptions}
    # The partners' own words, even where the note paraphrases them: the clinician writes from them.
    extra = [q for q in cited_entries(note, as_written=True) if q.id not in offered]
    quotes = sorted([*context.exceptions, *extra], key=lambda q: (q.occurred_on, q.id))
    return replace(context, exceptions=quotes)


def cited_entries(note: SessionNote, *, as_written: bool = False) -> list[ExceptionQuote]:
    """The exception-log entries the note cites, oldest first: quoted in the partners' words or
    paraphrased as the note chose (`as_written`: all in the partners' own words)."""
    names = partner_names(note.couple)
    entries = records_by_ids(note.couple_id, "exception", list(note.cited_exception_ids or []))
    chosen = None if as_written else note.paraphrases
    return sorted((paraphrased(quote(e, names), chosen) for e in entries),
                  key=lambda q: (q.occurred_on, q.id))


def paraphrased(q: ExceptionQuote, paraphrases: dict | None) -> ExceptionQuote:
    """The entry as the note cites it: in the clinician's words where they chose to paraphrase
    it (a private entry only), the partner's words then left out."""
    text = None if q.shared else (paraphrases or {}).get(str(q.id))
    if text is None:
        return q
    return replace(q, paraphrase=text, context="", behaviour=None, thoughts=None, feelings=None,
                   meaning=None)


def frozen(note: SessionNote) -> dict | None:
    """What a signed note shows: its snapshot, or for a note signed before snapshots existed,
    the same facts drawn as of its session and signing time. None for a draft."""
    if note.status != NoteStatus.SIGNED:
        return None
    if note.snapshot is not None:
        return note.snapshot
    entries = seal.entry_rows(note.couple_id, note.cited_exception_ids)
    return snapshot.build(note, entries, as_of=note.signed_at)


def shown_quotes(note: SessionNote) -> list[ExceptionQuote]:
    """The entries a note's page quotes: as signed for a signed note, as they are for a draft."""
    data = frozen(note)
    return cited_entries(note) if data is None else snapshot.quotes_of(data)


# --- writing drafts ------------------------------------------------------------------------------

def create_note(user, couple_id: int, data: NoteInput) -> SessionNote:
    """Save a new draft note for a couple in the user's caseload.

    Raises NotFound outside the caseload and DomainError(field=...) for input out of shape.
    """
    couple = get_couple(user, couple_id)
    values = clean(couple, data)
    now = utcnow()
    note = SessionNote(
        couple_id=couple.id, clinician_id=user.id, status=NoteStatus.DRAFT, created_at=now, updated_at=now,
        **values,
    )
    db.session.add(note)
    db.session.flush()
    couple.last_activity_at = now
    record("note.create", user=user, object_type="note", object_id=note.id, couple_id=couple.id)
    db.session.commit()
    return note


def _signed_by(note: SessionNote) -> dict[str, str]:
    """Who signed and when, for the messages below (the time as a stamp, the same in every language)."""
    when = note.signed_at.strftime("%Y-%m-%d %H:%M UTC") if note.signed_at else _("earlier")
    return {"name": note.signed_by.name if note.signed_by else _("a clinician"), "when": when}


def _locked_message(note: SessionNote) -> str:
    return _(
        "This note was signed by %(name)s on %(when)s and can no longer change. Add an addendum "
        "to correct or add to it.", **_signed_by(note),
    )


def update_note(user, note_id: int, data: NoteInput) -> SessionNote:
    """Change a draft. A signed note is refused with DomainError, even if it was signed a moment
    ago by someone else (the UPDATE only touches a row that is still a draft)."""
    note = get_note(user, note_id)
    if note.status != NoteStatus.DRAFT:
        raise DomainError(_locked_message(note))
    values = clean(note.couple, data)
    # Strictly later than the stored stamp: signing compares it to detect a changed draft.
    now = max(utcnow(), note.updated_at + timedelta(microseconds=1))
    result = db.session.execute(
        sa.update(SessionNote)
        .where(SessionNote.id == note.id, SessionNote.status == NoteStatus.DRAFT)
        .values(**values, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise DomainError(_locked_message(db.session.get(SessionNote, note_id, populate_existing=True)))
    record("note.update", user=user, object_type="note", object_id=note.id, couple_id=note.couple_id)
    db.session.commit()
    db.session.expire(note)  # the UPDATE bypassed the object: reload it when next read
    return note


# --- signing, addenda, verification ---------------------------------------------------------------

def draft_version(note: SessionNote) -> str:
    """A fingerprint of the draft as shown; the sign form sends it back (see sign_note)."""
    entries = seal.entry_rows(note.couple_id, note.cited_exception_ids)
    return signing.draft_fingerprint(seal.as_mapping(note), entries)


def sign_note(user, note_id: int, *, seen_version: str | None = None) -> SessionNote:
    """Sign and lock a draft now: signer, time (UTC) and a SHA-256 of the canonical content.

    `seen_version` (from draft_version) is the draft the signer read; if the draft changed since,
    nothing is signed. The UPDATE is conditional on the row still being that unsigned draft, so
    of two clinicians signing at once exactly one succeeds. Raises DomainError when the note is
    already signed, changed meanwhile, or empty.
    """
    return _sign(user, note_id, seen_version=seen_version, signed_at=utcnow())


def sign_demo_note(user, note_id: int, *, at) -> SessionNote:
    """The demo's story is told in the past: its notes are signed on their session's day. Only
    seeding a development (or test) installation may backdate a signature; never later than now."""
    if not (current_app.config.get("DEVELOPMENT") or current_app.testing):
        raise RuntimeError("a backdated signature is for the demo on a development installation only")
    if at > utcnow():
        raise RuntimeError("a note cannot be signed in the future")
    return _sign(user, note_id, seen_version=None, signed_at=at)


def _sign(user, note_id: int, *, seen_version: str | None, signed_at) -> SessionNote:
    note = get_note(user, note_id)
    if note.status != NoteStatus.DRAFT:
        raise DomainError(_locked_message(note))
    entries = seal.entry_rows(note.couple_id, note.cited_exception_ids)
    content = seal.as_mapping(note)
    if seen_version is not None and seen_version != signing.draft_fingerprint(content, entries):
        raise DomainError(_("The draft changed since you opened it. Read it again, then sign."))
    if not any((text or "").strip() for text in (note.sections or {}).values()):
        raise DomainError(_("Write at least one section before signing."))
    # Kept to the microsecond (signed_at): the moment that divides this note's record from the next's.
    # What the page and the PDF will show from now on, frozen and signed with the note.
    kept = snapshot.build(note, entries, as_of=signed_at)
    content = {**content, "snapshot": kept}
    digest = signing.note_hash(content, entries, signed_by_id=user.id, signed_at=signed_at)
    result = db.session.execute(
        sa.update(SessionNote)
        .where(
            SessionNote.id == note.id,
            SessionNote.status == NoteStatus.DRAFT,
            SessionNote.updated_at == note.updated_at,
        )
        .values(status=NoteStatus.SIGNED, signed_by_id=user.id, signed_at=signed_at, content_hash=digest,
                snapshot=kept, **seal.seal_values(keys.current_id(), digest, 0, None))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        current = db.session.get(SessionNote, note_id, populate_existing=True)
        if current.status == NoteStatus.SIGNED:
            raise DomainError(
                _("This note was signed by %(name)s on %(when)s, just before you: it was not signed "
                  "twice. Read the signed note, and add an addendum if something needs adding.",
                  **_signed_by(current))
            )
        raise DomainError(_("The draft changed while you were signing it. Read it again, then sign."))
    note.couple.last_activity_at = signed_at
    record("note.sign", user=user, object_type="note", object_id=note.id, couple_id=note.couple_id)
    db.session.commit()
    db.session.expire(note)  # the UPDATE bypassed the object: reload it when next read
    return note


def add_addendum(user, note_id: int, text: str) -> Addendum:
    """Add a signed (hashed) addendum to a signed note. Raises DomainError(field="text")."""
    note = get_note(user, note_id)
    if note.status != NoteStatus.SIGNED:
        raise DomainError(_("This note is still a draft: edit it instead."), field="text")
    text = unicodedata.normalize("NFC", str(text or "")).replace("\r\n", "\n").strip()
    if not text:
        raise DomainError(_("Write the addendum first."), field="text")
    if len(text) > TEXT_MAX:
        raise DomainError(
            _("Keep an addendum to %(num)s characters or fewer.", num=format_number(TEXT_MAX)),
            field="text",
        )
    # Serialise addenda per note (a row lock on PostgreSQL; SQLite writes one at a time anyway).
    db.session.execute(sa.select(SessionNote.id).where(SessionNote.id == note.id).with_for_update())
    previous = db.session.scalar(
        sa.select(Addendum.content_hash).where(Addendum.note_id == note.id)
        .order_by(Addendum.signed_at.desc(), Addendum.id.desc()).limit(1)
    )
    signed_at = utcnow().replace(microsecond=0)
    addendum = Addendum(
        note=note, author_id=user.id, text=text, signed_at=signed_at,
        content_hash=signing.addendum_hash(
            note_id=note.id, note_hash=note.content_hash, previous_hash=previous,
            author_id=user.id, text=text, signed_at=signed_at,
        ),
    )
    db.session.add(addendum)
    db.session.flush()
    if note.seal is not None:  # a note signed before keyed seals waits for `flask seal-notes`
        # The note's addenda seal now covers one more addendum, with this one as the newest.
        count = db.session.scalar(sa.select(sa.func.count(Addendum.id)).where(Addendum.note_id == note.id))
        db.session.execute(
            sa.update(SessionNote).where(SessionNote.id == note.id)
            .values(**seal.seal_values(note.seal_key_id, note.content_hash, count, addendum.content_hash))
            .execution_options(synchronize_session=False)
        )
    record(
        "note.addendum", user=user, object_type="note", object_id=note.id, couple_id=note.couple_id,
        detail={"addendum_id": addendum.id},
    )
    db.session.commit()
    return addendum


verification = seal.verification
Verification = seal.Verification


def verify_note(note: SessionNote) -> bool:
    """True when the stored note and all its addenda still match the hashes made at signing."""
    return verification(note).ok


# --- PDF ---------------------------------------------------------------------------------------

def note_pdf(user, note_id: int, *, channel: str = "web", joint: bool = False) -> bytes:
    """The signed note as a PDF in the language of its author (the note's clinician), whoever
    exports it; the export is audited. Raises DomainError for a draft.

    `joint`: the version released to the couple together. Every quoted entry its writer kept
    private is left out (a line says whose and how many); a note of an individual session is
    never released jointly (DomainError).
    """
    note = get_note(user, note_id, fresh=True)
    if note.status != NoteStatus.SIGNED:
        raise DomainError(_("Only a signed note can be exported. Sign the draft first."))
    if joint and note.attendees != Attendees.BOTH:
        raise DomainError(_("This note records an individual session: it is kept out of anything "
                            "released to the couple jointly."))
    # Under a safety flag, what one partner shared reaches the other only once let through.
    hold = safety.sharing_hold(note.couple_id) if joint else None
    author_language = supported(note.clinician.locale)
    private = private_words(note.couple_id, hold) if joint else None
    with force_locale(author_language):
        data = note_print(note, verification(note), frozen(note), exported_by=user.name, joint=joint,
                          hold=hold, private_words=private)
    # Exported on a GET: audited on its own (see audit.services.record_access).
    record_access(
        "note.export", user=user, object_type="note", object_id=note.id, couple_id=note.couple_id,
        detail={"channel": channel, "format": "pdf", "release": "joint" if joint else "record"},
    )
    # Commit before rendering: the write lock is not held while WeasyPrint works.
    db.session.commit()
    with force_locale(author_language):
        return render_pdf("pdf/note.html", {"note": data})


def export_note(user, note_id: int) -> bytes:
    """Batch export (flask export-note): only the practice owner or the note's own clinician.

    Raises NotFound outside the user's reach and DomainError for another clinician or a draft.
    """
    if not user.active:
        raise NotFound()
    note = get_note(user, note_id)
    if not user.is_owner and note.clinician_id != user.id:
        raise DomainError(_("Only the practice owner or the note's clinician may export it."))
    return note_pdf(user, note_id, channel="cli")
