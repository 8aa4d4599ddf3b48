"""What every staff view shares: the signed-in user, the role guards, a domain error shown beside
its form field, and file downloads."""

from collections.abc import Iterable, Mapping

from flask import Response, abort, flash, render_template
from flask_login import current_user, login_required

from .auth.models import User
from .errors import DomainError


def user() -> User:
    """The signed-in account itself (not Flask-Login's proxy), to hand to services."""
    return current_user._get_current_object()


@login_required
def signed_in() -> None:
    """A blueprint guard (`bp.before_request(web.signed_in)`): anyone signed in; the services'
    scoped getters decide the rest."""


@login_required
def clinicians_only() -> None:
    """A blueprint guard (`bp.before_request(web.clinicians_only)`): owners and clinicians only.

    Anyone else signed in gets 404 (nothing leaks); a visitor gets the sign-in page.
    """
    if not current_user.sees_charts:
        abort(404)


def form_again(form, *, title: str, action: str, back: str, back_label: str):
    """A form sent from a larger page that could not be accepted, shown again on its own with
    everything typed and the message beside the field (422)."""
    return render_template(
        "form_again.html", form=form, title=title, action=action, back=back, back_label=back_label
    ), 422


def field_error(
    form, error: DomainError, *, default: str | None = None, names: Mapping[str, str] | None = None
) -> None:
    """Show a service's refusal beside the field it concerns, keeping everything typed.

    The field is the one the error names (through `names` where the service's word differs from
    the form's), else `default`; without such a field on the form the message is flashed.
    """
    candidates = [(names or {}).get(error.field, error.field), default]
    name = next((n for n in candidates if n and form is not None and n in form), None)
    if name is None:
        flash(error.message, "error")
        return
    field = form[name]
    field.errors = [*field.errors, error.message]


def file_response(body: bytes | Iterable[str], *, filename: str, mimetype: str) -> Response:
    """A download (a PDF, or CSV lines streamed as they are made); never cached."""
    return Response(
        body, mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
