"""The practice overview and, for owners, the team."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import web
from ..accounts import services as accounts
from ..errors import DomainError
from . import services
from .forms import InviteForm, MemberForm, SettingsForm, SimpleForm
from .hours import zone_names

bp = Blueprint("practice", __name__, url_prefix="/practice")
bp.before_request(web.signed_in)


@bp.route("/")
def home():
    return render_template("practice/home.html", overview=services.overview(web.user()))


@bp.route("/team")
def team():
    return render_template("practice/team.html", members=services.team(web.user()))


@bp.route("/team/new", methods=["GET", "POST"])
def create():
    """The owner invites a member by email; they choose their own password from the link."""
    services.team(web.user())  # owners only: NotFound for others before showing the form
    form = InviteForm()
    if form.validate_on_submit():
        data = accounts.Invitation(email=form.email.data, name=form.name.data, role=form.role.data)
        try:
            member = accounts.invite_member(web.user(), data)
        except DomainError as error:
            web.field_error(form, error, default="email")
        else:
            flash(_("%(name)s is invited: a link to choose a password is on its way to %(email)s.",
                    name=member.name, email=member.email), "success")
            return redirect(url_for("practice.team"))
    return render_template("practice/create.html", form=form)


@bp.route("/team/<int:user_id>/invitation", methods=["POST"])
def resend_invitation(user_id: int):
    form = SimpleForm()
    if form.validate_on_submit():
        try:
            member = accounts.resend_invitation(web.user(), user_id)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("A new invitation is on its way to %(email)s; the earlier link no longer works.",
                    email=member.email), "success")
    return redirect(url_for("practice.edit", user_id=user_id))


@bp.route("/team/<int:user_id>/two-factor/reset", methods=["POST"])
def reset_two_factor(user_id: int):
    form = SimpleForm()
    if form.validate_on_submit():
        try:
            member = services.reset_member_two_factor(web.user(), user_id)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("%(name)s's second factor is removed and they are signed out. They set it up "
                    "again at their next sign-in.", name=member.name), "success")
    return redirect(url_for("practice.edit", user_id=user_id))


@bp.route("/team/<int:user_id>", methods=["GET", "POST"])
def edit(user_id: int):
    member = services.get_member(web.user(), user_id)
    form = MemberForm(obj=member)
    if form.validate_on_submit():
        try:
            services.update_member(
                web.user(), member.id, role=form.role.data, active=form.active.data,
                credentials=form.credentials.data or "",
            )
        except DomainError as error:
            web.field_error(form, error, default="role")
        else:
            flash(_("%(name)s's account is updated.", name=member.name), "success")
            return redirect(url_for("practice.team"))
    return render_template(
        "practice/edit.html", form=form, member=member, button=SimpleForm(),
        two_factor=member.has_two_factor, invitation_pending=member.invitation_pending,
    )


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    current = services.practice_settings(web.user())  # owners only: NotFound for others
    form = SettingsForm(data=current.__dict__ | {"open_days": list(current.open_days)})
    if form.validate_on_submit():
        data = services.PracticeSettings(
            timezone=form.timezone.data, opens_at=form.opens_at.data,
            closes_at=form.closes_at.data, open_days="".join(form.open_days.data),
            remind_days_before=form.remind_days_before.data,
            remind_on_due_day=form.remind_on_due_day.data,
            remind_overdue_days=form.remind_overdue_days.data, locale=form.locale.data,
            require_two_factor=form.require_two_factor.data, address=form.address.data,
        )
        try:
            services.update_settings(web.user(), data)
        except DomainError as error:
            web.field_error(form, error, default="timezone")
        else:
            flash(_("The practice settings are saved."), "success")
            return redirect(url_for("practice.settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("practice/settings.html", form=form, zones=zone_names()), status
