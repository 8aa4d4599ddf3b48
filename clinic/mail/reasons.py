"""Why a message was not sent: written in English, shown in the reader's language.

The outbox keeps a failure's reason as English text (what the log, the audit trail and an
administrator searching for it see). Every reason the app writes comes from one of the templates
below, with at most one slot, `%(detail)s`, for what the mail server or the network said (kept as
they said it). `shown` puts a stored reason into the reader's language; a reason that is the
server's own reply ("550 5.1.1 no such user") is shown as the server gave it.
"""

from __future__ import annotations

import re
from functools import cache

from flask_babel import gettext

from ..i18n import N_

INTERRUPTED = N_("the worker stopped while sending; it may have been delivered")
WITHDRAWN = N_("not sent: the partner has no working portal link any more")
NOT_CONFIGURED = N_("no mail server is configured (CLINIC_MAIL_URL)")
BAD_MAIL_URL = N_("CLINIC_MAIL_URL must look like smtp://user:pass@host:587 or smtps://…")
NO_STARTTLS = N_("the mail server does not offer STARTTLS")
SIGN_IN_REFUSED = N_("the mail server refused the sign-in (%(detail)s)")
UNREACHABLE = N_("could not reach the mail server: %(detail)s")
CONNECTION_BROKE = N_("the connection to the mail server broke: %(detail)s")
SEAL_BROKEN = N_("its sealed link could not be opened (the key changed); send a new link")

TEMPLATES = (INTERRUPTED, WITHDRAWN, NOT_CONFIGURED, BAD_MAIL_URL, NO_STARTTLS, SIGN_IN_REFUSED,
             UNREACHABLE, CONNECTION_BROKE, SEAL_BROKEN)


def reason(template: str, detail: object = "") -> str:
    """The English text stored for a failure (`template` is one of TEMPLATES)."""
    return template % {"detail": detail} if "%(detail)s" in template else template


@cache
def _pattern(template: str) -> re.Pattern[str]:
    fixed = [re.escape(part) for part in template.split("%(detail)s")]
    return re.compile("(?P<detail>.*)".join(fixed), re.DOTALL)


def shown(stored: str | None) -> str | None:
    """A stored reason in the reader's language."""
    if not stored:
        return stored
    for template in TEMPLATES:
        found = _pattern(template).fullmatch(stored)
        if found:
            return reason(gettext(template), found.groupdict().get("detail", ""))
    return stored
