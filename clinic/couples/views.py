"""Caseload dashboard, couple pages, and the forms that change a couple."""

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from .. import web
from ..caseload.services import attention as needs_attention
from ..domain import MessageKind
from ..errors import DomainError
from ..exercises import services as exercises
from ..formkit import options
from ..inputs import bounded_int
from ..mail import services as mail
from ..notes import services as notes
from ..portal import services as portal
from ..records import progress as records_progress
from ..records import services as records
from ..safety import checkins, signals
from ..safety import services as safety
from . import services
from .forms import (
    CoupleEditForm,
    CoupleForm,
    EmailLinkForm,
    LinkForm,
    SearchForm,
    StageForm,
    StatusForm,
)
from .models import STATUS_WORDS
from .services import CaseloadFilter, CoupleInput, PartnerInput

bp = Blueprint("couples", __name__, url_prefix="/couples")
bp.before_request(web.clinicians_only)


@bp.route("/")
def index():
    form = SearchForm(request.args)
    filters = CaseloadFilter()
    if form.validate():
        filters = CaseloadFilter(
            q=form.q.data or "", stage=form.stage.data, status=form.status.data or None
        )
    page = request.args.get("page", 1, type=bounded_int)
    couples = services.list_caseload(
        web.user(), filters, page=max(page, 1), per_page=current_app.config["CASELOAD_PAGE_SIZE"]
    )
    attention_page = max(request.args.get("attention", 1, type=bounded_int), 1)
    attention = needs_attention(web.user(), page=attention_page)
    return render_template(
        "couples/index.html", couples=couples, form=form, filters=filters, attention=attention,
        flagged=safety.flagged_couples([c.id for c in couples.items]),
    )


def _input_from(form: CoupleForm) -> CoupleInput:
    def partner(sub) -> PartnerInput:
        return PartnerInput(
            name=sub.form.name.data, preferred_name=sub.form.preferred_name.data,
            pronouns=sub.form.pronouns.data, email=sub.form.email.data,
            locale=sub.form.locale.data,
        )

    return CoupleInput(
        case_label=form.case_label.data,
        partner_a=partner(form.partner_a),
        partner_b=partner(form.partner_b),
        current_stage=(form.current_stage.data if form.current_stage else None) or 1,
        primary_clinician_id=form.primary_clinician_id.data,
    )


def _with_clinicians(form: CoupleForm) -> CoupleForm:
    form.primary_clinician_id.choices = options(
        (c.id, c.name) for c in services.clinician_choices(web.user())
    )
    if form.primary_clinician_id.data is None:
        form.primary_clinician_id.data = web.user().id
    return form


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = _with_clinicians(CoupleForm())
    if not form.is_submitted():
        for sub in (form.partner_a, form.partner_b):
            sub.form.locale.data = web.user().practice.locale  # the practice's, to start with
    if form.validate_on_submit():
        try:
            couple = services.create_couple(web.user(), _input_from(form))
        except DomainError as error:
            web.field_error(form, error)
        else:
            flash(_("%(label)s is on your caseload.", label=couple.case_label), "success")
            return redirect(url_for("couples.detail", couple_id=couple.id))
    return render_template("couples/create.html", form=form)


@bp.route("/<int:couple_id>")
def detail(couple_id: int):
    couple = services.view_couple(web.user(), couple_id)
    couple_mail = mail.couple_mail(couple.id, [p.id for p in couple.partners], MessageKind.PORTAL_LINK)
    couple_notes = notes.notes_for_couple(couple)
    session_days, cutoff = notes.sessions_of(couple_notes)
    return render_template(
        "couples/detail.html",
        couple=couple,
        history=services.stage_history(couple),
        stage_form=StageForm(stage=couple.current_stage),
        status_form=StatusForm(status=couple.status),
        assignments=exercises.couple_assignments(couple),
        links=portal.links_for_couple(web.user(), couple.id),
        link_form=LinkForm(valid_days=current_app.config["PORTAL_LINK_DAYS"]),
        link_mail=couple_mail.latest,
        mail_failures=couple_mail.failures,
        exceptions=records.couple_records(couple, "exception", limit=5),
        progress=records_progress.couple_progress(couple, session_days, cutoff=cutoff),
        notes=couple_notes,
        patterns=records_progress.patterns(couple.id),
        safety=safety.couple_safety(web.user(), couple.id),
        held=records.held_shares(couple.id),
        signals=signals.couple_signals(web.user(), couple.id),
        checkins=checkins.couple_checkins(web.user(), couple.id),
    )


def _link_mail(partner_id: int, limit: int = 5):
    return mail.partner_deliveries(partner_id, MessageKind.PORTAL_LINK, limit=limit)


@bp.route("/<int:couple_id>/partners/<int:partner_id>/link", methods=["POST"])
def issue_link(couple_id: int, partner_id: int):
    """Create a partner's personal link and show it once: only its hash is kept."""
    services.get_couple(web.user(), couple_id)
    form = LinkForm()
    if not form.validate_on_submit():
        flash(_("Choose how many days the link works (0 for no expiry)."), "error")
        return redirect(url_for("couples.detail", couple_id=couple_id))
    try:
        issued = portal.issue_link(
            web.user(), couple_id, partner_id, valid_days=form.valid_days.data or None,
            email=form.send_email.data,
        )
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("couples.detail", couple_id=couple_id, _anchor="portal-links"))
    return _link_page(issued.link.partner, issued.link, issued.token)


def _link_page(partner, link, token: str, status: int = 200):
    url = portal.link_url(token)
    return render_template(
        "couples/link.html", couple=partner.couple, partner=partner, link=link, url=url,
        qr=_qr_svg(url), email_form=EmailLinkForm(token=token), deliveries=_link_mail(partner.id, 1),
    ), status


@bp.route("/<int:couple_id>/partners/<int:partner_id>/link/email", methods=["POST"])
def email_link(couple_id: int, partner_id: int):
    """"Email it to <name>": queue the link just shown for mail; the worker sends it."""
    services.get_couple(web.user(), couple_id)
    form = EmailLinkForm()
    if form.validate_on_submit():
        try:
            portal.email_link(web.user(), couple_id, partner_id, form.token.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The link is on its way: it will be sent within a minute."), "success")
    return redirect(url_for("couples.link_mail", couple_id=couple_id, partner_id=partner_id))


@bp.route("/<int:couple_id>/partners/<int:partner_id>/link/mail")
def link_mail(couple_id: int, partner_id: int):
    """A partner's link (never its token) and whether the mail with it arrived."""
    overview = portal.view_link(web.user(), couple_id, partner_id)
    return render_template(
        "couples/link_mail.html", link=overview, deliveries=_link_mail(partner_id),
        link_form=LinkForm(valid_days=current_app.config["PORTAL_LINK_DAYS"]),
    )


def _qr_svg(url: str):
    # segno writes the SVG from the URL alone; nothing a person typed reaches it.
    return Markup(segno.make(url, error="m").svg_inline(scale=5, title=_("QR code of the link")))  # noqa: S704


@bp.route("/<int:couple_id>/partners/<int:partner_id>/link/revoke", methods=["POST"])
def revoke_link(couple_id: int, partner_id: int):
    services.get_couple(web.user(), couple_id)
    # The app-wide CSRF check has already run for this POST; there are no other fields.
    count = portal.revoke_link(web.user(), couple_id, partner_id)
    flash(_("The link no longer works.") if count else _("There was no working link."), "success")
    return redirect(url_for("couples.detail", couple_id=couple_id, _anchor="portal-links"))


@bp.route("/<int:couple_id>/edit", methods=["GET", "POST"])
def edit(couple_id: int):
    if request.method == "GET":
        couple = services.view_couple(web.user(), couple_id)  # the partners' details: an audited read
        partners = {p.position: p for p in couple.partners}
        form = CoupleEditForm(
            case_label=couple.case_label,
            primary_clinician_id=couple.primary_clinician_id,
            partner_a=partners["A"],
            partner_b=partners["B"],
        )
    else:
        couple = services.get_couple(web.user(), couple_id)
        form = CoupleEditForm()
    _with_clinicians(form)
    if form.validate_on_submit():
        try:
            services.update_couple(web.user(), couple.id, _input_from(form))
        except DomainError as error:
            web.field_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("couples.detail", couple_id=couple.id))
    return render_template("couples/edit.html", form=form, couple=couple)


@bp.route("/<int:couple_id>/stage", methods=["POST"])
def stage(couple_id: int):
    services.get_couple(web.user(), couple_id)
    form = StageForm()
    if not form.validate_on_submit():
        flash(_("Choose a stage from 1 to 6."), "error")
    else:
        try:
            couple = services.move_stage(web.user(), couple_id, form.stage.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Moved to stage %(number)d.", number=couple.current_stage), "success")
    return redirect(url_for("couples.detail", couple_id=couple_id))


@bp.route("/<int:couple_id>/status", methods=["POST"])
def status(couple_id: int):
    services.get_couple(web.user(), couple_id)
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("Choose active, paused or closed."), "error")
    else:
        try:
            couple = services.change_status(web.user(), couple_id, form.status.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The couple is now %(status)s.", status=STATUS_WORDS[couple.status]), "success")
    return redirect(url_for("couples.detail", couple_id=couple_id))
