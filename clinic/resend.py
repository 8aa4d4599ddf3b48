"""Nothing typed is lost: a post that cannot be accepted comes back with its text, to send again."""

from urllib.parse import urlsplit

from flask import render_template, request, url_for
from flask_babel import lazy_gettext as _l

# Hidden bookkeeping fields: sent again, but not shown as "what you wrote".
_QUIET = {"idempotency_key", "action", "token", "sharing", "shared"}

# reason -> (title, message when a "Send again" button is offered, message without one, status)
MESSAGES = {
    "csrf": (
        _l("Please send this again"),
        _l(
            "For your safety this page had grown too old to be accepted. Everything you wrote is "
            "below; press “Send again” to save it."
        ),
        _l(
            "For your safety this could not be accepted. Everything you wrote is below: copy it, "
            "reload the page and paste it in again."
        ),
        400,
    ),
    "portal-expired": (
        _l("Your text is safe — please open your link again"),
        _l(
            "For your privacy you were signed out after a while without activity. Everything you "
            "wrote is below. Open your personal link again (from the message your therapist sent), "
            "then come back to this page and press “Send again”."
        ),
        _l(
            "For your privacy you were signed out after a while without activity. Everything you "
            "wrote is below: copy it, open your personal link again, and paste it in."
        ),
        401,
    ),
    "already-sent": (
        _l("This was already sent"),
        "",
        _l(
            "This exercise was sent to your therapist before this page was saved (for work you do "
            "together, perhaps by your partner), so it can no longer change. What you wrote is below "
            "for you to keep."
        ),
        409,
    ),
    "signed-out": (
        _l("Your text is safe — please sign in again"),
        "",
        _l(
            "You are signed out (in another tab, or after a while without activity). Everything "
            "you wrote is below: copy it, sign in, and paste it in again."
        ),
        401,
    ),
    "kept": (
        _l("What you were sending when you were signed out"),
        _l(
            "You were signed out before this could be saved. Everything you wrote is below; press "
            "“Send again” to save it now."
        ),
        "",
        200,
    ),
    "entry-saved": (
        _l("This entry was already saved"),
        _l(
            "This page was sent before, and the entry it made is saved as it was then. What you "
            "wrote now is different and is below: press “Send again” to save it as a new entry."
        ),
        _l(
            "This page was sent before, and the entry it made is saved as it was then. What you "
            "wrote now is different and is below: copy it and add it as a new entry."
        ),
        409,
    ),
}


def _same_origin() -> bool:
    """True when the post came from one of our own pages (Origin, else Referer, matches).

    A resend button on a cross-site post would turn a forged request into a one-click one,
    so it is only offered for our own forms.
    """
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return False
    parts = urlsplit(source)
    return f"{parts.scheme}://{parts.netloc}" == request.host_url.rstrip("/")


def render_resend(reason: str, *, template: str = "resend.html", replace: dict | None = None):
    """The page for a post that was not accepted: everything typed, and (for our own pages) a
    button that sends it again, with `replace`'s values instead of those posted."""
    title, with_button, without_button, status = MESSAGES[reason]
    can_resend = bool(with_button) and _same_origin()
    replace = replace or {}
    # Passwords are never sent back to the browser, not even in a hidden field.
    fields = [
        (name, replace.get(name, value))
        for name, values in request.form.lists()
        for value in values
        if name != "csrf_token" and "password" not in name.lower()
    ]
    visible = [(name, value) for name, value in fields if name not in _QUIET and value.strip()]
    return (
        render_template(
            template, title=str(title), message=str(with_button if can_resend else without_button),
            fields=fields, visible=visible, action=request.path, can_resend=can_resend,
        ),
        status,
    )


def render_kept(fields: list[tuple[str, str]], kept_id: int):
    """A kept post (auth/kept.py) shown after signing in again, with a "Send again" button and
    a "Discard it" one; both post to the kept page, which settles it and sends it on."""
    title, message, _without, status = MESSAGES["kept"]
    visible = [(name, value) for name, value in fields if name not in _QUIET and value.strip()]
    return render_template(
        "resend.html", title=str(title), message=str(message), fields=fields, visible=visible,
        action=url_for("auth.kept_post"), can_resend=True, kept_id=kept_id,
    ), status
