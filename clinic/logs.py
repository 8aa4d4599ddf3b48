"""Logging that never carries a portal token or a search term (a client's name): request lines
are redacted before they are written."""

import logging
import re

from flask import Flask

# Anything after /portal/l/ up to the end of the path: a mistyped or percent-encoded token too.
_TOKEN_PATH = re.compile(r"(/portal/l/)[^\s\"?#]+")
# Caseload searches carry partners' names in the query string: `?q=Chen+Jing`.
_SEARCH = re.compile(r"([?&]q=)[^&\s\"]*")
REDACTED = r"\1[redacted]"


class RedactPortalTokens(logging.Filter):
    """Rewrite `/portal/l/<token>` and `q=<search>` to `[redacted]` in any record passing through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/portal/l/" in message or "q=" in message:
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
