"""The domain error services raise, and the error pages."""

import math
import time

from flask import Flask, g, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db, limiter, login_manager
from .resend import render_resend


class DomainError(Exception):
    """A rule of the practice refused the request; `field` names the form field it concerns."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


_MESSAGES = {
    400: (_l("Something in that request was not right"), _l("Please go back and try again.")),
    403: (_l("Not allowed"), _l("Your account cannot do this.")),
    404: (_l("Not found"), _l("There is nothing here, or it is not yours to see.")),
    405: (_l("Not allowed"), _l("That kind of request is not accepted here.")),
    413: (_l("Too large"), _l("What you sent is larger than we accept. Please shorten it and try again.")),
    429: (
        _l("Too many attempts"),
        _l("Please wait a few minutes before trying again. This protects your account."),
    ),
    500: (_l("Something went wrong on our side"), _l("Nothing you typed is your fault. Please try again.")),
}


def render_error(code: int, title: str | None = None, message: str | None = None):
    default_title, default_message = _MESSAGES.get(code, _MESSAGES[500])
    return (
        render_template(
            "errors/error.html", code=code, title=title or default_title,
            message=message or default_message,
        ),
        code,
    )


def _too_many(_error):
    """429 with a Retry-After header saying when the breached limit opens again."""
    body, code = render_error(429)
    response = make_response(body, code)
    breached = limiter.current_limit
    if breached is not None and breached.breached:
        response.headers["Retry-After"] = str(max(1, math.ceil(breached.reset_at - time.time())))
    return response


def _server_error(_error):
    """The error page after whatever failed, rendered in a fresh transaction.

    A failed statement leaves PostgreSQL's transaction aborted (it refuses every statement until
    a rollback), and the page itself needs the signed-in user: roll back, then reload the user
    before rendering. Without a database at all the page is shown as to a visitor.
    """
    try:
        db.session.rollback()
        if current_user.is_authenticated:
            db.session.refresh(current_user._get_current_object())
    except SQLAlchemyError:
        db.session.rollback()
        g._login_user = login_manager.anonymous_user()
    return render_error(500)


def register(app: Flask, *, post_without_session=None) -> None:
    """The error pages. `post_without_session` answers a staff post whose CSRF token failed
    because the session behind it has ended (auth.session keeps what was typed)."""
    for code in _MESSAGES:
        app.register_error_handler(code, lambda error, code=code: render_error(code))
    app.register_error_handler(429, _too_many)
    app.register_error_handler(500, _server_error)

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        if request.method == "POST" and request.form:
            staff = request.blueprint != "portal"
            signing_in = request.blueprint in ("auth", "accounts")
            if (staff and not signing_in and not current_user.is_authenticated
                    and post_without_session is not None):
                return post_without_session()
            template = "resend.html" if staff else "portal/resend.html"
            return render_resend("csrf", template=template)
        return render_error(
            400,
            _("This form has expired"),
            _("For your safety the form could not be accepted. Go back, reload the page, and send "
              "it again."),
        )
