"""The clinician's switch for a couple's reminders (a partner's pause is a portal page)."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _

from .. import web
from ..couples.services import get_couple
from . import services
from .forms import CoupleRemindersForm

bp = Blueprint("reminders", __name__, url_prefix="/reminders")
bp.before_request(web.clinicians_only)


@bp.route("/couples/<int:couple_id>", methods=["POST"])
def couple(couple_id: int):
    user = web.user()
    get_couple(user, couple_id)  # NotFound outside the caseload, whatever was posted
    form = CoupleRemindersForm()
    if form.validate_on_submit():
        on = form.on.data == "1"
        services.set_couple_reminders(user, couple_id, on)
        flash(_("Reminders are on for this couple.") if on
              else _("Reminders are off for this couple."), "success")
    return redirect(url_for("couples.detail", couple_id=couple_id, _anchor="reminders"))
