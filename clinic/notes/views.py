"""Note pages: new (pre-filled), detail, edit, sign, addendum, PDF, and the language check."""

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_number, ngettext
from flask_babel import gettext as _

from .. import web
from ..domain import Attendees, NoteStatus
from ..errors import DomainError
from ..formkit import CONTROL_MESSAGE
from ..i18n import current_language
from ..safety import services as safety
from ..timeutil import utcnow
from . import services
from .forms import AddendumForm, NoteForm, SignForm
from .inputs import paraphrase_field
from .language import segments, why_in
from .sections import BY_KEY, SECTIONS, TEXT_MAX

bp = Blueprint("notes", __name__, url_prefix="/notes")


@bp.app_template_global()
def finding_why(finding) -> str:
    """A language-check finding explained in the reader's language (templates/notes/_language.html)."""
    return why_in(finding, current_language())
# Owners and clinicians only; a supervisor never reaches a note (404: nothing leaks).
bp.before_request(web.clinicians_only)

# The services' names for what the form shows as other fields.
FIELD_NAMES = {"scale_today": "scale_A", "cited_exception_ids": "keep"}


def _findings(form: NoteForm) -> dict:
    """Each checked section's text split into plain and flagged pieces (for <mark>)."""
    return {
        s.key: segments(form[s.key].data or "")
        for s in SECTIONS
        if not s.short and (form[s.key].data or "").strip()
    }


def _flag_count(findings: dict) -> int:
    return sum(1 for pieces in findings.values() for _text, f in pieces if f is not None)


def _citations(form: NoteForm) -> dict[int, str]:
    """The paraphrases posted for the entries kept, as typed: a cited entry set to “paraphrase”
    (the radio `cite-<id>`) with the text of `paraphrase-<id>`."""
    return {
        int(entry_id): request.form.get(paraphrase_field(entry_id), "")
        for entry_id in form.keep.data or []
        if request.form.get(f"cite-{int(entry_id)}") == "paraphrase"
    }


def _input(form: NoteForm) -> services.NoteInput:
    return services.NoteInput(
        session_date=form.session_date.data,
        duration_minutes=form.duration_minutes.data,
        attendees=form.attendees.data,
        sections=form.section_texts(),
        cited_exception_ids=list(form.keep.data or []),
        scale_today=form.scale_today(),
        paraphrases=_citations(form),
    )


def _posted_choices() -> dict[int, dict]:
    """Every private entry's quote-or-paraphrase choice and text as posted, kept or not, so
    nothing typed is lost when the page comes back."""
    out = {}
    for name, value in request.form.items():
        if name.startswith("cite-") and name[5:].isdigit():
            entry_id = int(name[5:])
            out[entry_id] = {"mode": value, "text": request.form.get(paraphrase_field(entry_id), "")}
    for name, text in request.form.items():  # a paraphrase posted without its choice is kept too
        if name.startswith("paraphrase-") and name[11:].isdigit():
            out.setdefault(int(name[11:]), {"mode": "quote", "text": text})
    return out


def _refused_paraphrases(context) -> dict[str, str]:
    """A paraphrase the page offers (one per private entry) that was posted with control
    characters, taken out at the input boundary, is not saved: the page comes back with it
    cleaned and says so beside it, chosen or not."""
    refused = getattr(request.form, "refused", frozenset())
    offered = {paraphrase_field(q.id) for q in context.exceptions if q.private}
    return {name: str(CONTROL_MESSAGE) for name in sorted(offered & refused)}


def _stored_choices(paraphrases: dict | None) -> dict[int, dict]:
    return {int(k): {"mode": "paraphrase", "text": v} for k, v in (paraphrases or {}).items()}


def _save_error(form: NoteForm, error: DomainError, errors: dict) -> None:
    """A refused paraphrase is shown beside its entry; anything else beside its field."""
    if (error.field or "").startswith("paraphrase-"):
        errors[error.field] = error.message
    else:
        web.field_error(form, error, names=FIELD_NAMES)


def _editor(template: str, form: NoteForm, context, *, status: int, checked: bool,
            choices: dict | None = None, citation_errors: dict | None = None, **extra):
    note = extra.get("note")
    if note is not None:
        # Plain values: the audit's commit below expires the note (templates never query).
        extra["note"] = {"id": note.id, "session_date": note.session_date}
    services.record_editor_view(web.user(), context.couple_id, note.id if note else None)
    findings = _findings(form) if checked else {}
    kept = set(form.keep.data or [])
    return render_template(
        template, form=form, context=context, findings=findings, checked=checked, kept=kept,
        choices=_posted_choices() if choices is None else choices,
        citation_errors=citation_errors or {}, paraphrase_field=paraphrase_field,
        flag_count=_flag_count(findings), sections=SECTIONS,
        safety_flagged=safety.open_flag(context.couple_id) is not None, **extra,
    ), status


def _saved_message(form: NoteForm, what: str) -> str:
    flags = _flag_count(_findings(form))
    if not flags:
        return what
    return " ".join((what, ngettext(
        "The language check has %(num)d suggestion, shown under the sections below. They are "
        "suggestions only.",
        "The language check has %(num)d suggestions, shown under the sections below. They are "
        "suggestions only.", flags,
    )))


@bp.route("/couples/<int:couple_id>/new", methods=["GET", "POST"])
def new(couple_id: int):
    context = services.prefill(web.user(), couple_id)
    form = NoteForm()
    form.set_partners(context.partners)
    if request.method == "GET":
        form.process(
            session_date=utcnow().date(), duration_minutes=50, attendees=Attendees.BOTH,
            keep=context.cited_exception_ids,
            scale_A=context.scale_today.get("A"), scale_B=context.scale_today.get("B"),
            **context.sections,
        )
        return _editor("notes/new.html", form, context, status=200, checked=False)
    if request.form.get("action") == "check":
        return _editor("notes/new.html", _without_errors(form), context, status=200, checked=True)
    errors = _refused_paraphrases(context)
    if form.validate_on_submit() and not errors:
        try:
            note = services.create_note(web.user(), couple_id, _input(form))
        except DomainError as error:
            _save_error(form, error, errors)
        else:
            flash(_saved_message(form, _("Draft saved.")), "success")
            return redirect(url_for("notes.detail", note_id=note.id))
    return _editor("notes/new.html", form, context, status=422, checked=True, citation_errors=errors)


def _without_errors(form: NoteForm) -> NoteForm:
    """“Check language” only looks at the wording: it reports no missing fields."""
    for f in form:
        f.errors = []
    return form


@bp.route("/<int:note_id>")
def detail(note_id: int):
    note = services.view_note(web.user(), note_id)
    findings = {}
    if note.status == NoteStatus.DRAFT:
        findings = {
            s.key: segments(note.sections.get(s.key) or "")
            for s in SECTIONS if not s.short and (note.sections.get(s.key) or "").strip()
        }
    return render_template(
        "notes/detail.html", note=note, couple=note.couple, sections=SECTIONS,
        quotes=services.shown_quotes(note), check=services.verification(note),
        findings=findings, flag_count=_flag_count(findings),
        sign_form=SignForm(version=services.draft_version(note)) if note.status == NoteStatus.DRAFT else None,
        addendum_form=AddendumForm() if note.status == NoteStatus.SIGNED else None,
    )


@bp.route("/<int:note_id>/edit", methods=["GET", "POST"])
def edit(note_id: int):
    note = services.get_note(web.user(), note_id)
    if note.status != NoteStatus.DRAFT and request.method == "GET":
        flash(_("This note is signed and can no longer change. Add an addendum instead."), "info")
        return redirect(url_for("notes.detail", note_id=note.id, _anchor="addenda"))
    context = services.prefill_for_note(note)
    form = NoteForm()
    form.set_partners(context.partners)
    if request.method == "GET":
        form.process(
            session_date=note.session_date, duration_minutes=note.duration_minutes,
            attendees=note.attendees, keep=list(note.cited_exception_ids or []),
            scale_A=(note.scale_today or {}).get("A"), scale_B=(note.scale_today or {}).get("B"),
            **(note.sections or {}),
        )
        return _editor("notes/edit.html", form, context, status=200, checked=True, note=note,
                       choices=_stored_choices(note.paraphrases))
    if request.form.get("action") == "check":
        return _editor("notes/edit.html", _without_errors(form), context, status=200, checked=True,
                       note=note)
    errors = _refused_paraphrases(context)
    if form.validate_on_submit() and not errors:
        try:
            services.update_note(web.user(), note.id, _input(form))
        except DomainError as error:
            _save_error(form, error, errors)
        else:
            flash(_saved_message(form, _("Draft saved.")), "success")
            return redirect(url_for("notes.detail", note_id=note.id))
    status = 409 if note.status != NoteStatus.DRAFT else 422
    return _editor("notes/edit.html", form, context, status=status, checked=True, note=note,
                   citation_errors=errors)


@bp.route("/<int:note_id>/sign", methods=["POST"])
def sign(note_id: int):
    services.get_note(web.user(), note_id)
    form = SignForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Reload the note and sign again."), "error")
        return redirect(url_for("notes.detail", note_id=note_id))
    try:
        services.sign_note(web.user(), note_id, seen_version=form.version.data or None)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Signed. The note is locked; corrections go in addenda."), "success")
    return redirect(url_for("notes.detail", note_id=note_id))


@bp.route("/<int:note_id>/addenda", methods=["POST"])
def addendum(note_id: int):
    note = services.get_note(web.user(), note_id)
    form = AddendumForm()
    if form.validate_on_submit():
        try:
            services.add_addendum(web.user(), note_id, form.text.data)
        except DomainError as error:
            web.field_error(form, error, names=FIELD_NAMES)
        else:
            flash(_("Addendum signed and added."), "success")
            return redirect(url_for("notes.detail", note_id=note_id, _anchor="addenda"))
    # Show the note again with the typed addendum and its message beside the field.
    note = services.view_note(web.user(), note.id)
    return render_template(
        "notes/detail.html", note=note, couple=note.couple, sections=SECTIONS,
        quotes=services.shown_quotes(note), check=services.verification(note), findings={},
        flag_count=0, sign_form=None, addendum_form=form,
    ), 422


@bp.route("/<int:note_id>/pdf")
def pdf(note_id: int):
    joint = request.args.get("release") == "joint"
    try:
        data = services.note_pdf(web.user(), note_id, joint=joint)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("notes.detail", note_id=note_id))
    name = f"session-note-{note_id}-joint.pdf" if joint else f"session-note-{note_id}.pdf"
    return web.file_response(data, filename=name, mimetype="application/pdf")


@bp.route("/language", methods=["POST"])
def language():
    """The editor's live check: {"text": ...} in, findings and marked pieces out. Stores nothing."""
    payload = request.get_json(silent=True)
    text = payload.get("text") if isinstance(payload, dict) else None
    if not isinstance(text, str):
        return jsonify(error=_("Send the section text as JSON: %(shape)s.", shape='{"text": "..."}')), 400
    if len(text) > TEXT_MAX:
        return jsonify(error=_("Only the first %(num)s characters can be checked.",
                               num=format_number(TEXT_MAX))), 413
    section = BY_KEY.get(payload.get("section") or "")
    if section is not None and section.short:
        return jsonify(findings=[], segments=[{"text": text, "finding": None}])
    findings, pieces = [], []
    for piece, finding in segments(text):
        index = None
        if finding is not None:
            index = len(findings)
            findings.append({"phrase": finding.phrase, "rule": finding.rule,
                             "why": why_in(finding, current_language()),
                             "suggestions": list(finding.suggestions), "lang": finding.lang})
        pieces.append({"text": piece, "finding": index})
    head = ngettext(
        "Language check: %(num)d suggestion. Suggestions only; saving is never blocked.",
        "Language check: %(num)d suggestions. Suggestions only; saving is never blocked.",
        len(findings),
    )
    return jsonify(findings=findings, segments=pieces, head=head)
