"""The practice overview and, for owners, the team."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.services import NewUser
from ..errors import DomainError
from . import services
from .forms import MemberForm, SettingsForm, UserForm
from .hours import zone_names

bp = Blueprint("practice", __name__, url_prefix="/practice")


@bp.route("/")
@login_required
def home():
    return render_template("practice/home.html", overview=services.overview(current_user))


@bp.route("/team")
@login_required
def team():
    return render_template("practice/team.html", members=services.team(current_user))


@bp.route("/team/new", methods=["GET", "POST"])
@login_required
def create():
    services.team(current_user)  # owners only: NotFound for others before showing the form
    form = UserForm()
    if form.validate_on_submit():
        data = NewUser(
            email=form.email.data, name=form.name.data, role=form.role.data,
            password=form.password.data,
        )
        try:
            member = services.add_member(current_user, data)
        except DomainError as error:
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            flash(f"{member.name} can now sign in as {member.role}.", "success")
            return redirect(url_for("practice.team"))
    return render_template("practice/create.html", form=form)


@bp.route("/team/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit(user_id: int):
    member = services.get_member(current_user, user_id)
    form = MemberForm(obj=member)
    if form.validate_on_submit():
        try:
            services.update_member(
                current_user, member.id, role=form.role.data, active=form.active.data
            )
        except DomainError as error:
            getattr(form, error.field or "role").errors.append(error.message)
        else:
            flash(f"{member.name}'s account is updated.", "success")
            return redirect(url_for("practice.team"))
    return render_template("practice/edit.html", form=form, member=member)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    current = services.practice_settings(current_user)  # owners only: NotFound for others
    form = SettingsForm(data=current.__dict__ | {"open_days": list(current.open_days)})
    if form.validate_on_submit():
        data = services.PracticeSettings(
            timezone=form.timezone.data, opens_at=form.opens_at.data,
            closes_at=form.closes_at.data, open_days="".join(form.open_days.data),
            remind_days_before=form.remind_days_before.data,
            remind_on_due_day=form.remind_on_due_day.data,
            remind_overdue_days=form.remind_overdue_days.data,
        )
        try:
            services.update_settings(current_user, data)
        except DomainError as error:
            getattr(form, error.field or "timezone").errors.append(error.message)
        else:
            flash(_("The practice settings are saved."), "success")
            return redirect(url_for("practice.settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("practice/settings.html", form=form, zones=zone_names()), status
