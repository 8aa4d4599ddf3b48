"""Logging that never carries a portal token or a search term (a client's name): request lines
are redacted before they are written."""

import logging
import re

from flask import Flask

# Anything after /portal/l/ (or an invitation or reset link's path) up to the end of the path: a
# mistyped or percent-encoded token too.
_TOKEN_PATHS = ("/portal/l/", "/accounts/invitation/", "/accounts/reset/")
_TOKEN_PATH = re.compile(r"(/portal/l/|/accounts/invitation/|/accounts/reset/)[^\s\"?#]+")
# Caseload searches carry partners' names in the query string: `?q=Chen+Jing`.
_SEARCH = re.compile(r"([?&]q=)[^&\s\"]*")
REDACTED = r"\1[redacted]"


class RedactPortalTokens(logging.Filter):
    """Rewrite link tokens (`/portal/l/<token>`, `/accounts/reset/<token>` ...) and `q=<search>`
    to `[redacted]` in any record passing through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "q=" in message or any(path in message for path in _TOKEN_PATHS):
            record.msg = _SEARCH.sub(REDACTED, _TOKEN_PATH.sub(REDACTED, message))
            record.args = ()
        return True


_FILTER = RedactPortalTokens()


def init_app(app: Flask) -> None:
    # Werkzeug's development server and gunicorn's access log both print request paths.
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error", app.logger.name):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
