"""The practice overview and, for owners, the team."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..auth.services import NewUser
from ..errors import DomainError
from . import bp, services
from .forms import MemberForm, UserForm


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
