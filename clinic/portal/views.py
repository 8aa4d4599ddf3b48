"""Portal pages: the link's Continue page, then the partner's home, exercises and entries."""

import secrets
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from .. import catalogue_texts
from ..domain import DONE_ASSIGNMENT, OPEN_ASSIGNMENT, SubmissionState
from ..errors import DomainError
from ..exercises import services as exercises
from ..exercises.answers import parse_answers
from ..extensions import limiter
from ..formkit import CONTROL_MESSAGE
from ..i18n import SESSION_KEY
from ..inputs import bounded_int
from ..notes.services import session_days
from ..records import picks
from ..records import progress as records_progress
from ..records import services as records
from ..records.models import TAG_CATEGORIES
from ..reminders import services as reminders
from ..resend import render_resend
from ..safety import checkins
from . import services
from . import session as portal_session
from .forms import ContinueForm, LanguageForm, PauseForm, PrivacyForm, SimpleForm

bp = Blueprint("portal", __name__, url_prefix="/portal")

# Reachable without a portal session (leaving one that has already lapsed just ends it).
OPEN_ENDPOINTS = {
    "portal.open", "portal.continue_", "portal.ended", "portal.leave", "portal.language",
    "portal.quick_exit",
}


def resend_page(reason: str, replace: dict | None = None):
    """Show someone whose post could not be accepted everything they typed, ready to resend."""
    return render_resend(reason, template="portal/resend.html", replace=replace)


def neutral_url() -> str:
    """Where the quick exit goes: the practice's chosen everyday site, else the neutral page."""
    return current_app.config["QUICK_EXIT_URL"] or url_for("away.today")


@bp.before_request
def _require_partner():
    if request.endpoint == "portal.quick_exit":
        return None
    away = request.method == "GET" and portal_session.current_partner() is None
    if away and portal_session.recently_left():
        # Back after a quick exit: nothing of the portal, not even its goodbye or Continue page.
        return redirect(neutral_url())
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if portal_session.current_partner() is not None:
        return None
    if request.method == "POST":
        return resend_page("portal-expired")
    return redirect(url_for("portal.ended"))


@bp.after_request
def _portal_headers(response):
    # The link's token must never travel on in a Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _partner():
    return g.portal_partner


@bp.context_processor
def _portal_owner():
    # Only once a portal session exists: the link's Continue page must look nothing up.
    partner = g.get("portal_partner")
    return {
        "portal_owner": services.owner_of(partner) if partner is not None else None,
        "quick_exit_url": neutral_url(),
        "support_contacts": checkins.support_contacts(partner.couple.practice_id) if partner else [],
    }


def _continue_limit():
    return current_app.config["PORTAL_LINK_LIMIT"]


@bp.route("/l/<token>")
def open(token: str):
    """Show a Continue button. Nothing is looked up or used up: mail scanners open links."""
    return render_template("portal/open.html", form=ContinueForm(token=token))


@bp.route("/continue", methods=["POST"])
@limiter.limit(_continue_limit)
def continue_():
    form = ContinueForm()
    token = form.token.data if form.validate_on_submit() else ""
    try:
        link = services.exchange_token(token or "")
    except services.LinkRefused:
        return render_template("portal/refused.html"), 404
    chosen = session.get(SESSION_KEY)
    portal_session.start(link)
    if chosen:
        # Picked on the Continue page by the person holding the link: it is theirs to keep.
        services.set_language(link.partner, chosen)
    checkins.offer_at_first_visit(link.partner)
    return redirect(url_for("portal.home"))


@bp.route("/ended")
def ended():
    return render_template("portal/ended.html")


@bp.route("/leave", methods=["POST"])
def leave():
    portal_session.end()
    return redirect(url_for("portal.ended", left=1))


@bp.route("/exit", methods=["POST"])
def quick_exit():
    """The quick exit (a button on every portal page, or Escape twice): end the partner's
    portal sessions on the server and show the neutral page.

    The script sends it as a beacon (`beacon=1`: an empty answer) and replaces the page itself,
    so a refused post (a stale CSRF token) still leaves the page at once; the session then has
    lapsed on the server anyway.
    """
    portal_session.end(quick=True)
    if request.form.get("beacon"):
        return "", 204
    return redirect(neutral_url(), code=303)


@bp.route("/")
def home():
    partner = _partner()
    # Audited first: its commit would expire what the page shows (templates never query).
    services.audit_view(partner, "home")
    assignments = exercises.partner_assignments(partner)
    todo = [a for a in assignments if a.status in OPEN_ASSIGNMENT]
    done = [a for a in assignments if a.status in DONE_ASSIGNMENT]
    return render_template(
        "portal/home.html", partner=partner, todo=todo, done=done,
        shared=exercises.shared_by_other(partner), checkin=checkins.waiting_for(partner),
    )


@bp.route("/checkin/<int:checkin_id>", methods=["GET", "POST"])
def checkin(checkin_id: int):
    """The partner's private safety check-in: answered once, for the therapist alone."""
    partner = _partner()
    item = checkins.get_partner_checkin(partner, checkin_id)  # NotFound for anyone else's
    if request.method == "POST":
        answers, errors = checkins.parse_answers(item.questions, request.form)
        if errors:
            flash(_("Some answers need another look — everything you wrote is still here."), "error")
            return render_template("portal/checkin.html", partner=partner, checkin=item,
                                   answers=answers, errors=errors), 422
        checkins.submit_checkin(partner, item.id, answers)
        flash(_("Sent to your therapist only."), "success")
        return redirect(url_for("portal.home"))
    services.audit_view(partner, "checkin", checkin_id)
    item = checkins.get_partner_checkin(partner, checkin_id)  # loaded again after the audit's commit
    return render_template("portal/checkin.html", partner=partner, checkin=item, answers={}, errors={})


def _exercise_page(partner, assignment, answers, errors, privacy):
    exercise = exercises.exercise_for(assignment, partner.locale)
    return render_template(
        "portal/exercise.html", partner=partner, assignment=assignment, exercise=exercise,
        answers=answers, errors=errors, privacy=privacy,
        options=picks.options_for(partner, exercise, _stored(assignment)),
    )


def _stored(assignment) -> dict | None:
    return assignment.submission.answers if assignment.submission is not None else None


@bp.route("/exercises/<int:assignment_id>", methods=["GET", "POST"])
def exercise(assignment_id: int):
    partner = _partner()
    assignment = exercises.get_partner_assignment(partner, assignment_id)
    exercise = exercises.exercise_for(assignment, partner.locale)
    if exercise.record:
        return redirect(url_for("portal.add_record", kind=exercise.record, assignment=assignment.id))
    submission = assignment.submission
    if submission is not None and submission.state == SubmissionState.SUBMITTED:
        if request.method == "POST":
            return resend_page("already-sent")  # keep what was typed; it can't change any more
        return redirect(url_for("portal.submission", submission_id=submission.id))
    privacy = PrivacyForm()
    if request.method == "POST":
        final = request.form.get("action") == "submit"
        answers, errors = parse_answers(exercise, request.form, final=final,
                                        options=picks.options_for(partner, exercise, _stored(assignment)))
        if errors:
            flash(_("Some answers need another look — everything you wrote is still here."), "error")
            return _exercise_page(partner, assignment, answers, errors, privacy), 422
        try:
            exercises.save_answers(
                partner, assignment.id, answers, submit=final, shared=privacy.shared
            )
        except DomainError:
            return resend_page("already-sent")  # sent meanwhile (by the other partner, say)
        if final:
            flash(_("Sent to your therapist. Thank you."), "success")
            return redirect(url_for("portal.home"))
        flash(_("Draft saved. You can come back to it any time."), "success")
        return redirect(url_for("portal.exercise", assignment_id=assignment.id))
    services.audit_view(partner, "assignment", assignment.id)
    answers = submission.answers if submission else {}
    if submission is not None:
        privacy.sharing.data = "shared" if submission.shared_with_partner else "private"
    return _exercise_page(partner, assignment, answers, {}, privacy)


@bp.route("/sent/<int:submission_id>")
def submission(submission_id: int):
    partner = _partner()
    exercises.get_partner_submission(partner, submission_id)  # NotFound before anything is audited
    services.audit_view(partner, "submission", submission_id)
    # Loaded after the audit's commit, which expires what came before (templates never query).
    item, own = exercises.get_partner_submission(partner, submission_id)
    entries = []
    if item.prompts.get("record"):
        entries = records.partner_records_by_ids(
            partner, item.prompts["record"], item.answers.get("record_ids", [])
        )
    return render_template(
        "portal/submission.html", partner=partner, submission=item, own=own, entries=entries,
        beside=catalogue_texts.prompts_beside(item.prompts),
    )


@bp.route("/add/<any(exception, scale):kind>", methods=["GET", "POST"])
def add_record(kind: str):
    partner = _partner()
    assignment_id = request.args.get("assignment", type=bounded_int)
    if assignment_id is not None:
        assignment = exercises.get_partner_assignment(partner, assignment_id)
        if exercises.exercise_for(assignment).record != kind:
            abort(404)
    exercise = records.record_exercise(kind, partner.locale)
    privacy = PrivacyForm()
    if request.method == "POST":
        answers, errors = parse_answers(exercise, request.form, final=True)
        tag_errors = {name: str(CONTROL_MESSAGE) for name in _tag_names() if name in request.refused_inputs}
        if errors or tag_errors or not privacy.validate():
            flash(_("Some answers need another look — everything you wrote is still here."), "error")
            return render_template(
                "portal/record.html", kind=kind, exercise=exercise, answers=answers,
                errors=errors, privacy=privacy, assignment_id=assignment_id,
                tag_values=request.form, tag_errors=tag_errors, **_tag_context(),
            ), 422
        try:
            records.add_from_portal(
                partner, kind, answers, shared=privacy.shared, assignment_id=assignment_id,
                idempotency_key=privacy.idempotency_key.data or None,
                tags=records.tags_from_form(request.form),
            )
        except records.KeyAlreadyUsed:
            # Sent again after an edit: the first entry stands; this text becomes a new one only
            # if the partner says so (a fresh key).
            return resend_page("entry-saved", {"idempotency_key": secrets.token_urlsafe(16)})
        flash(
            _("Added to your exception log.") if kind == "exception"
            else _("Your place on the scale is saved."),
            "success",
        )
        return redirect(url_for("portal.entries"))
    privacy.idempotency_key.data = secrets.token_urlsafe(16)
    return render_template(
        "portal/record.html", kind=kind, exercise=exercise, answers={}, errors={},
        privacy=privacy, assignment_id=assignment_id, tag_values={}, tag_errors={}, **_tag_context(),
    )


def _tag_names() -> list[str]:
    return [f"tag-{category}" for category in TAG_CATEGORIES]


def _tag_context() -> dict:
    return {"tag_categories": TAG_CATEGORIES, "tag_suggestions": records.TAG_SUGGESTIONS}


@bp.route("/entries")
def entries():
    partner = _partner()
    services.audit_view(partner, "entries")
    return render_template(
        "portal/entries.html", partner=partner,
        progress=records_progress.couple_progress(
            partner.couple, session_days(partner.couple_id, position=partner.position), partner=partner,
            title=_("My place on the scale over time"), phone=True,
        ),
        exceptions=records.visible_to_partner(
            partner, "exception", page=max(request.args.get("page", 1, type=bounded_int), 1),
            per_page=current_app.config["TIMELINE_PAGE_SIZE"],
        ),
        placements=records.visible_to_partner(
            partner, "scale", per_page=current_app.config["TIMELINE_PAGE_SIZE"], count=False
        ),
        form=SimpleForm(),
    )


@bp.route("/entries/<any(exception, scale):kind>/<int:record_id>/sharing", methods=["POST"])
def sharing(kind: str, record_id: int):
    partner = _partner()
    form = SimpleForm()
    if form.validate_on_submit():
        shared = request.form.get("shared") == "1"
        records.set_sharing(partner, kind, record_id, shared)
        flash(_("Your partner can now read this entry.") if shared else _("This entry is now private."),
              "success")
    return redirect(url_for("portal.entries"))


def _back_in_portal(path: str | None) -> str:
    """Where the language control was pressed, if that is a page of the portal; else home."""
    parts = urlsplit(path or "")
    if parts.scheme or parts.netloc or "\\" in (path or "") or not parts.path.startswith("/portal/"):
        return url_for("portal.home")
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.route("/language", methods=["POST"])
def language():
    """The partner switches their portal's language (kept on the partner). Before the link is
    exchanged, or after leaving, the choice lasts for this browser's session only."""
    form = LanguageForm()
    if form.validate_on_submit():
        partner = portal_session.current_partner()
        if partner is not None:
            services.set_language(partner, form.locale.data)
        else:
            session[SESSION_KEY] = form.locale.data
    return redirect(_back_in_portal(form.next.data))


@bp.route("/reminders", methods=["POST"])
def reminders_pause():
    form = PauseForm()
    if form.validate_on_submit():
        paused = form.paused.data == "1"
        reminders.set_paused(_partner(), paused)
        flash(_("Reminders are paused. You can turn them back on here any time.") if paused
              else _("Reminders are on again."), "success")
    return redirect(url_for("portal.home", _anchor="reminders"))
