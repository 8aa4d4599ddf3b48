"""The private safety check-in: the practice's questions (the shipped default or its own), offered
to one partner (by the clinician, or at their first visit), answered in their portal, read by the
clinician alone. Also the practice's support contacts, shown with it and in the portal footer.

Scoping: portal functions take the partner and reach only that partner's check-ins; staff
functions go through the couples' scoped getter. Nothing here feeds a joint note, report or export.
"""

import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from ..audit.services import record, record_access
from ..couples.models import Partner
from ..couples.services import get_couple
from ..domain import CheckinState
from ..errors import DomainError
from ..extensions import db
from ..i18n import LANGUAGES
from ..timeutil import utcnow
from . import signals
from .models import SafetyCheckin
from .services import own_settings, settings_for

KINDS = ("yesno", "text")
YESNO = ("yes", "no", "unsure", "skip")
TEXT_MAX = 2000
QUESTIONS_MAX = 20
CONTACTS_MAX = 10


@cache
def default_questions() -> tuple[dict, ...]:
    data = tomllib.loads(resources.files(__package__).joinpath("checkin_default.toml").read_text("utf-8"))
    return tuple(_checked(data["questions"]))


def _checked(questions: list[dict]) -> list[dict]:
    keys = set()
    for q in questions:
        if q.get("kind") not in KINDS or not q.get("key") or q["key"] in keys:
            raise ValueError(f"bad check-in question {q!r}")
        if not all((q.get(lang) or "").strip() for lang in LANGUAGES):
            raise ValueError(f"check-in question {q['key']!r} lacks a language")
        keys.add(q["key"])
    return [{k: q[k] for k in ("key", "kind", *LANGUAGES)} for q in questions]


def practice_questions(practice_id: int) -> list[dict]:
    return list(settings_for(practice_id).questions or default_questions())


# --- the practice's own questions and contacts (owner) ------------------------------------------

def questions_as_text(questions: list[dict]) -> str:
    """One line per question: "yesno | English | 中文" (what the settings page edits)."""
    return "\n".join(" | ".join([q["kind"], *(q[lang] for lang in LANGUAGES)]) for q in questions)


def _parse_questions(text: str) -> list[dict]:
    questions = []
    for number, line in enumerate((t for t in text.splitlines() if t.strip()), start=1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 1 + len(LANGUAGES) or parts[0] not in KINDS or not all(parts[1:]):
            raise DomainError(_("Line %(num)d: write the kind (yesno or text), the question in English "
                                "and in Chinese, separated by |.", num=number), field="questions")
        if any(len(p) > 300 for p in parts):
            raise DomainError(_("Line %(num)d is too long.", num=number), field="questions")
        texts = dict(zip(LANGUAGES, parts[1:], strict=True))
        questions.append({"key": f"q{number}", "kind": parts[0], **texts})
    if not questions or len(questions) > QUESTIONS_MAX:
        raise DomainError(_("Between 1 and %(num)d questions.", num=QUESTIONS_MAX), field="questions")
    return questions


def contacts_as_text(contacts: list[dict]) -> str:
    return "\n".join(" | ".join([c["name"], c["phone"], c.get("note", "")]).rstrip(" |") for c in contacts)


def _parse_contacts(text: str) -> list[dict]:
    contacts = []
    for number, line in enumerate((t for t in text.splitlines() if t.strip()), start=1):
        parts = [p.strip() for p in line.split("|")]
        if not 2 <= len(parts) <= 3 or not parts[0] or not parts[1] or any(len(p) > 200 for p in parts):
            raise DomainError(_("Line %(num)d: write the name, the number and (if you like) when it "
                                "answers, separated by |.", num=number), field="contacts")
        contacts.append({"name": parts[0], "phone": parts[1], "note": parts[2] if len(parts) == 3 else ""})
    if len(contacts) > CONTACTS_MAX:
        raise DomainError(_("At most %(num)d contacts.", num=CONTACTS_MAX), field="contacts")
    return contacts


def update_questions_and_contacts(owner, questions_text: str | None, contacts_text: str) -> None:
    """An owner replaces the check-in's questions (empty: back to the shipped default) and the
    support contacts. NotFound for anyone but an owner; DomainError naming the field."""
    own_settings(owner)
    questions = _parse_questions(questions_text) if (questions_text or "").strip() else None
    contacts = _parse_contacts(contacts_text or "")
    from_db = settings_for(owner.practice_id)
    if from_db not in db.session:
        db.session.add(from_db)
    from_db.questions, from_db.contacts = questions, contacts
    from_db.updated_at, from_db.updated_by_id = utcnow(), owner.id
    record("safety.checkin_settings", user=owner, object_type="practice", object_id=owner.practice_id,
           detail={"questions": len(questions) if questions else "default", "contacts": len(contacts)})
    db.session.commit()


def support_contacts(practice_id: int) -> list[dict]:
    return list(settings_for(practice_id).contacts or [])


# --- offering (clinician, or the first visit) -----------------------------------------------------

def _open_checkin(partner_id: int) -> SafetyCheckin | None:
    return db.session.scalar(sa.select(SafetyCheckin).where(
        SafetyCheckin.partner_id == partner_id, SafetyCheckin.state == CheckinState.OPEN))


def _new(partner: Partner, offered_by_id: int | None) -> SafetyCheckin:
    checkin = SafetyCheckin(
        couple_id=partner.couple_id, partner_id=partner.id, offered_by_id=offered_by_id,
        questions=practice_questions(partner.couple.practice_id), answers={}, locale=partner.locale,
        state=CheckinState.OPEN, created_at=utcnow(),
    )
    db.session.add(checkin)
    db.session.flush()
    return checkin


def offer_checkin(user, couple_id: int, partner_id: int) -> SafetyCheckin:
    """Offer one partner the private check-in (it appears in their portal only). NotFound outside
    the user's caseload; DomainError if one is already waiting for them."""
    couple = get_couple(user, couple_id)
    partner = next((p for p in couple.partners if p.id == partner_id), None)
    if partner is None:
        raise NotFound()
    if _open_checkin(partner.id) is not None:
        raise DomainError(_("%(name)s already has a check-in waiting.", name=partner.display_name))
    checkin = _new(partner, user.id)
    record("safety.checkin_offer", user=user, object_type="safety_checkin", object_id=checkin.id,
           couple_id=couple.id, detail={"partner": partner.id})
    db.session.commit()
    return checkin


def offer_at_first_visit(partner: Partner) -> None:
    """When the practice asks for it, a partner who never had a check-in gets one as they first
    open their portal (called from the link exchange, a POST)."""
    if not settings_for(partner.couple.practice_id).offer_at_first_visit:
        return
    if db.session.scalar(sa.select(SafetyCheckin.id).where(SafetyCheckin.partner_id == partner.id).limit(1)):
        return
    checkin = _new(partner, None)
    record("safety.checkin_offer", partner=partner, practice_id=partner.couple.practice_id,
           object_type="safety_checkin", object_id=checkin.id, couple_id=partner.couple_id,
           detail={"first_visit": True})
    db.session.commit()


# --- the partner's side ---------------------------------------------------------------------------

def waiting_for(partner: Partner) -> SafetyCheckin | None:
    """The check-in waiting for this partner (only theirs), if any."""
    return _open_checkin(partner.id)


def get_partner_checkin(partner: Partner, checkin_id: int) -> SafetyCheckin:
    """The portal's scoped getter: this partner's own open check-in; NotFound for anything else
    (the other partner's, or one already sent)."""
    checkin = db.session.scalar(sa.select(SafetyCheckin).where(
        SafetyCheckin.id == checkin_id, SafetyCheckin.partner_id == partner.id,
        SafetyCheckin.state == CheckinState.OPEN))
    if checkin is None:
        raise NotFound()
    return checkin


def parse_answers(questions: list[dict], form) -> tuple[dict, dict]:
    """Answers from a posted form, and errors by question key (everything is optional)."""
    answers, errors = {}, {}
    for q in questions:
        value = (form.get(q["key"]) or "").strip()
        if q["kind"] == "yesno" and value and value not in YESNO:
            errors[q["key"]] = _("Choose one of the answers offered.")
        elif q["kind"] == "text" and len(value) > TEXT_MAX:
            errors[q["key"]] = _("Please keep this under %(num)d characters.", num=TEXT_MAX)
        if value:
            answers[q["key"]] = value
    return answers, errors


def submit_checkin(partner: Partner, checkin_id: int, answers: dict) -> SafetyCheckin:
    """The partner sends their answers to the clinician (once). Words that may signal danger in
    them are noted for the clinician. NotFound unless it is this partner's open check-in."""
    checkin = get_partner_checkin(partner, checkin_id)
    checkin.answers, checkin.locale = answers, partner.locale
    checkin.state, checkin.submitted_at = CheckinState.SUBMITTED, utcnow()
    texts = {q["key"]: answers.get(q["key"]) for q in checkin.questions if q["kind"] == "text"}
    signals.note_text(partner, "checkin", checkin.id, texts)
    record("portal.checkin_submit", partner=partner, practice_id=partner.couple.practice_id,
           object_type="safety_checkin", object_id=checkin.id, couple_id=partner.couple_id)
    db.session.commit()
    return checkin


# --- the clinician's side -------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckinSummary:
    id: int
    partner_name: str
    state: str
    created_at: datetime
    submitted_at: datetime | None


def couple_checkins(user, couple_id: int) -> list[CheckinSummary]:
    """The couple's check-ins (both partners', for the clinician), newest first."""
    couple = get_couple(user, couple_id)
    names = {p.id: p.display_name for p in couple.partners}
    rows = db.session.scalars(sa.select(SafetyCheckin).where(SafetyCheckin.couple_id == couple.id)
                              .order_by(SafetyCheckin.created_at.desc(), SafetyCheckin.id.desc()))
    return [CheckinSummary(c.id, names.get(c.partner_id, ""), c.state, c.created_at, c.submitted_at)
            for c in rows]


@dataclass(frozen=True)
class CheckinRead:
    id: int
    couple_id: int
    partner_name: str
    submitted_at: datetime | None
    locale: str
    items: list[tuple[dict, str | None]]  # (question, answer)


def view_checkin(user, couple_id: int, checkin_id: int) -> CheckinRead:
    """A sent check-in for the clinician; the read is audited. NotFound outside the caseload,
    for another couple's, and for one not sent yet."""
    couple = get_couple(user, couple_id)
    checkin = db.session.scalar(sa.select(SafetyCheckin).where(
        SafetyCheckin.id == checkin_id, SafetyCheckin.couple_id == couple.id,
        SafetyCheckin.state == CheckinState.SUBMITTED))
    if checkin is None:
        raise NotFound()
    names = {p.id: p.display_name for p in couple.partners}
    read = CheckinRead(checkin.id, couple.id, names.get(checkin.partner_id, ""), checkin.submitted_at,
                       checkin.locale, [(q, checkin.answers.get(q["key"])) for q in checkin.questions])
    record_access("safety.checkin_view", user=user, object_type="safety_checkin",
                  object_id=checkin.id, couple_id=couple.id)
    return read
