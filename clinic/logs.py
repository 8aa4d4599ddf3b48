"""Logging that never carries a portal token, a search term (a client's name) or what someone
typed: request lines are redacted, and a database error is logged without its values."""

import logging
import re

from flask import Flask
from sqlalchemy.exc import StatementError

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


class DatabaseError(Exception):
    """What a log keeps of a database error: its kind, its SQLSTATE and the statement's text, whose
    values are placeholders (never the bound parameters nor the database's own message, which
    can quote a value: `Key (idempotency_key)=(...) already exists`)."""


def _database_error(error: BaseException) -> BaseException | None:
    """The first database error in `error`'s chain, if any."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        module = type(error).__module__
        if isinstance(error, StatementError) or module.startswith(("psycopg", "sqlite3")):
            return error
        error = error.__cause__ or error.__context__
    return None


def quiet_database_error(error: BaseException) -> BaseException:
    """`error`, or when it is (or was caused by) a database error, a DatabaseError that names
    only the error's kind, SQLSTATE and statement."""
    found = _database_error(error)
    if found is None:
        return error
    driver_error = getattr(found, "orig", None) or found
    kind = type(driver_error)
    state = getattr(driver_error, "sqlstate", None) or getattr(driver_error, "sqlite_errorname", None)
    statement = " ".join(str(getattr(found, "statement", "") or "").split())[:300]
    quiet = DatabaseError(
        f"{type(error).__name__} from {kind.__module__}.{kind.__qualname__}"
        f"{f' ({state})' if state else ''}{f' in: {statement}' if statement else ''}"
    )
    quiet.__traceback__ = error.__traceback__
    return quiet


class HideDatabaseValues(logging.Filter):
    """Replace a database error, in a record's exception or its arguments, by what
    quiet_database_error keeps. The traceback's frames stay (they hold code, never values)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            quiet = quiet_database_error(record.exc_info[1])
            if quiet is not record.exc_info[1]:
                record.exc_info = (type(quiet), quiet, record.exc_info[2])
                record.exc_text = None
        if isinstance(record.args, tuple) and any(isinstance(a, BaseException) for a in record.args):
            record.args = tuple(
                quiet_database_error(a) if isinstance(a, BaseException) else a for a in record.args
            )
        return True


_FILTER = RedactPortalTokens()
_QUIET = HideDatabaseValues()
# Every logger a request, the worker or the database writes through (a logger's filters do not
# see what its children log, so each is named; the app's own module loggers are added as found).
_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "huey", "huey.consumer", "sqlalchemy",
            "sqlalchemy.engine", "sqlalchemy.pool")


def init_app(app: Flask) -> None:
    # Werkzeug's development server and gunicorn's access log both print request paths.
    names = {*_LOGGERS, app.logger.name}
    names.update(name for name in logging.root.manager.loggerDict if name.startswith("clinic."))
    for name in names:
        logger = logging.getLogger(name)
        for log_filter in (_FILTER, _QUIET):
            if log_filter not in logger.filters:
                logger.addFilter(log_filter)
    # And whatever reaches the handlers already in place (the root's, the app's).
    for handler in {*logging.root.handlers, *app.logger.handlers}:
        if _QUIET not in handler.filters:
            handler.addFilter(_QUIET)
