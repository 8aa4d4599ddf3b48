"""Clinician pages: assign exercises, one submission, review and reply (the inbox is its own)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from .. import catalogue_texts, web
from ..couples.services import get_couple
from ..errors import DomainError
from ..records.services import records_by_ids
from ..safety import services as safety
from . import services
from .forms import TARGET_LABELS, TARGETS_BY_MODE, AssignForm, ReplyForm, ReviewForm
from .services import AssignmentRequest

bp = Blueprint("exercises", __name__, url_prefix="/exercises")
bp.before_request(web.clinicians_only)


def _rows_for(couple) -> list[dict]:
    return [
        {"key": e.key, "target": "joint" if e.is_joint else "each"}
        for e in catalogue_texts.suggested_first(couple.current_stage)
    ]


def _offer_fitting_targets(form: AssignForm) -> None:
    """Each row's "Who" lists only what its exercise allows (together only where it makes sense)."""
    modes = {e.key: e.mode for e in catalogue_texts.all_exercises()}
    for row in form.rows:
        allowed = TARGETS_BY_MODE.get(modes.get(row.form.key.data), TARGETS_BY_MODE["either"])
        row.form.target.choices = [(t, TARGET_LABELS[t]) for t in allowed]


@bp.route("/couples/<int:couple_id>/assign", methods=["GET", "POST"])
def assign(couple_id: int):
    couple = get_couple(web.user(), couple_id)
    form = AssignForm() if request.method == "POST" else AssignForm(data={"rows": _rows_for(couple)})
    if form.validate_on_submit():
        picked = [row.form for row in form.rows if row.form.pick.data]
        requests = [
            AssignmentRequest(
                exercise_key=row.key.data, target=row.target.data, due_on=row.due_on.data,
                note=row.note.data,
            )
            for row in picked
        ]
        try:
            created = services.assign_exercises(
                web.user(), couple.id, requests, confirmed_joint=bool(form.confirm_joint.data)
            )
        except DomainError as error:
            if error.field == "confirm_joint":
                web.field_error(form, error)
            else:
                # The service names the exercise; its message goes beside that row's choice.
                row = next((r.form for r in form.rows if r.form.key.data == error.field), None)
                web.field_error(row, error, default="target")
        else:
            flash(ngettext("%(num)d assignment added.", "%(num)d assignments added.", len(created)),
                  "success")
            return redirect(url_for("couples.detail", couple_id=couple.id, _anchor="assignments"))
    # After validation, so a target the exercise does not allow is explained by the service.
    _offer_fitting_targets(form)
    exercises_by_key = {e.key: e for e in catalogue_texts.all_exercises()}
    return render_template(
        "exercises/assign.html", couple=couple, form=form, exercises=exercises_by_key,
        target_labels=TARGET_LABELS, flagged=safety.open_flag(couple.id) is not None,
    ), 422 if form.errors or request.method == "POST" else 200


@bp.route("/assignments/<int:assignment_id>/withdraw", methods=["POST"])
def withdraw(assignment_id: int):
    assignment = services.get_assignment(web.user(), assignment_id)
    if ReviewForm().validate_on_submit():
        try:
            services.withdraw_assignment(web.user(), assignment.id)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The assignment was withdrawn."), "success")
    return redirect(url_for("couples.detail", couple_id=assignment.couple_id, _anchor="assignments"))


def _entries(item) -> list:
    """For an exception-log or scale assignment: the entries that make up the submission."""
    if not item.prompts.get("record"):
        return []
    return records_by_ids(item.couple_id, item.prompts["record"], item.answers.get("record_ids", []))


@bp.route("/submissions/<int:submission_id>")
def submission(submission_id: int):
    item = services.view_submission(web.user(), submission_id)
    return render_template(
        "exercises/submission.html", submission=item, entries=_entries(item),
        beside=catalogue_texts.prompts_beside(item.prompts), reply_form=ReplyForm(reply=item.reply),
        review_form=ReviewForm(),
    )


@bp.route("/submissions/<int:submission_id>/review", methods=["POST"])
def review(submission_id: int):
    services.get_submission(web.user(), submission_id)
    if ReviewForm().validate_on_submit():
        services.mark_reviewed(web.user(), submission_id)
        flash(_("Marked as reviewed."), "success")
    return redirect(url_for("exercises.submission", submission_id=submission_id))


@bp.route("/submissions/<int:submission_id>/reply", methods=["POST"])
def reply(submission_id: int):
    item = services.get_submission(web.user(), submission_id, for_page=True)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            services.reply(web.user(), submission_id, form.reply.data)
        except DomainError as error:
            web.field_error(form, error, default="reply")
        else:
            flash(_("Your reply is visible in their portal."), "success")
            return redirect(url_for("exercises.submission", submission_id=submission_id))
    return render_template(
        "exercises/submission.html", submission=item, entries=_entries(item),
        beside=catalogue_texts.prompts_beside(item.prompts), reply_form=form, review_form=ReviewForm(),
    ), 422
