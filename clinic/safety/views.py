"""Safety pages: the flag's forms on a couple, letting a held share through, the practice's
safety settings; and the neutral page the portal's quick exit lands on."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import web
from ..couples.services import get_couple
from ..errors import DomainError
from ..formkit import options
from ..records import services as records
from . import checkins, services, signals
from .forms import CheckinSettingsForm, ClearFlagForm, FlagForm, ReleaseForm, SafetySettingsForm

bp = Blueprint("safety", __name__, url_prefix="/safety")
bp.before_request(web.clinicians_only)

# The neutral page lives outside /portal and /safety: its address must say nothing of therapy.
away = Blueprint("away", __name__)


@away.route("/today")
def today():
    """An everyday page (a recipe) with nothing of the practice on it; reads and changes nothing."""
    return render_template("safety/today.html")


def _back(couple_id: int):
    return redirect(url_for("couples.detail", couple_id=couple_id, _anchor="safety"))


def _flag_form(couple) -> FlagForm:
    """The set-a-flag form with the couple's partners to choose from (the couple page writes the
    same fields: templates/safety/_couple.html)."""
    form = FlagForm()
    form.partner.choices = options(
        [("", _("The couple as a whole"))] + [(str(p.id), p.display_name) for p in couple.partners]
    )
    return form


@bp.route("/couples/<int:couple_id>/flag", methods=["POST"])
def set_flag(couple_id: int):
    couple = get_couple(web.user(), couple_id)
    form = _flag_form(couple)
    if form.validate_on_submit():
        try:
            services.set_flag(web.user(), couple.id, form.reason.data,
                              partner_id=int(form.partner.data) if form.partner.data else None)
        except DomainError as error:
            web.field_error(form, error, default="reason")
        else:
            flash(_("Safety flag set. Only clinicians see it."), "success")
            return _back(couple.id)
    return _again(form, couple, _("Set a safety flag"), url_for("safety.set_flag", couple_id=couple.id))


@bp.route("/couples/<int:couple_id>/flag/clear", methods=["POST"])
def clear_flag(couple_id: int):
    couple = get_couple(web.user(), couple_id)  # NotFound before anything is said
    form = ClearFlagForm()
    if form.validate_on_submit():
        try:
            services.clear_flag(web.user(), couple_id, form.clear_reason.data)
        except DomainError as error:
            web.field_error(form, error, default="clear_reason")
        else:
            flash(_("Safety flag cleared. Its history stays on the couple's page."), "success")
            return _back(couple_id)
    return _again(form, couple, _("Clear the safety flag"),
                  url_for("safety.clear_flag", couple_id=couple.id))


def _again(form, couple, title: str, action: str):
    """The flag's form again on its own page: what was typed, and the message beside it."""
    return web.form_again(form, title=title, action=action, back=url_for(
        "couples.detail", couple_id=couple.id, _anchor="safety"), back_label=couple.case_label)


@bp.route("/couples/<int:couple_id>/release/<any(exception, scale, submission):kind>/<int:item_id>",
          methods=["POST"])
def release(couple_id: int, kind: str, item_id: int):
    get_couple(web.user(), couple_id)  # NotFound outside the caseload, before reading
    if ReleaseForm().validate_on_submit():
        held = {(h.kind, h.item_id) for h in records.held_shares(couple_id)}
        try:
            services.release_share(web.user(), couple_id, kind, item_id, held)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("It now reaches the other partner."), "success")
    return _back(couple_id)


@bp.route("/couples/<int:couple_id>/signals/seen", methods=["POST"])
def signals_seen(couple_id: int):
    get_couple(web.user(), couple_id)  # NotFound outside the caseload
    if ReleaseForm().validate_on_submit():
        signals.mark_seen(web.user(), couple_id)
        flash(_("Marked as looked at. New words will bring the couple back to Needs attention."), "success")
    return _back(couple_id)


@bp.route("/couples/<int:couple_id>/partners/<int:partner_id>/checkin", methods=["POST"])
def offer(couple_id: int, partner_id: int):
    get_couple(web.user(), couple_id)  # NotFound outside the caseload
    if ReleaseForm().validate_on_submit():
        try:
            checkins.offer_checkin(web.user(), couple_id, partner_id)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Offered. It waits in that partner's own space only."), "success")
    return _back(couple_id)


@bp.route("/couples/<int:couple_id>/checkins/<int:checkin_id>")
def checkin(couple_id: int, checkin_id: int):
    read = checkins.view_checkin(web.user(), couple_id, checkin_id)
    return render_template("safety/checkin.html", read=read, couple_id=couple_id)


def _settings_page(policy_form, checkin_form, status=200):
    return render_template("safety/settings.html", form=policy_form, checkin_form=checkin_form), status


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    current = services.own_settings(web.user())
    form = SafetySettingsForm(
        data={"policy": current.sharing_policy, "offer_at_first_visit": current.offer_at_first_visit}
        if request.method == "GET" else None
    )
    checkin_form = CheckinSettingsForm(data={
        "questions": checkins.questions_as_text(current.questions) if current.questions else "",
        "contacts": checkins.contacts_as_text(current.contacts or []),
    })
    if form.validate_on_submit():
        try:
            services.set_sharing_policy(web.user(), form.policy.data, form.offer_at_first_visit.data)
        except DomainError as error:
            web.field_error(form, error)
        else:
            flash(_("Safety settings saved."), "success")
            return redirect(url_for("safety.settings"))
    return _settings_page(form, checkin_form, 422 if form.errors else 200)


@bp.route("/settings/checkin", methods=["POST"])
def checkin_settings():
    current = services.own_settings(web.user())
    form = SafetySettingsForm(data={"policy": current.sharing_policy,
                                    "offer_at_first_visit": current.offer_at_first_visit})
    checkin_form = CheckinSettingsForm()
    if checkin_form.validate_on_submit():
        try:
            checkins.update_questions_and_contacts(web.user(), checkin_form.questions.data,
                                                   checkin_form.contacts.data)
        except DomainError as error:
            web.field_error(checkin_form, error)
        else:
            flash(_("Check-in and support contacts saved."), "success")
            return redirect(url_for("safety.settings", _anchor="checkin"))
    return _settings_page(form, checkin_form, 422)
