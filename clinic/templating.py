"""Template filters and globals shared by every page."""

from datetime import date, datetime

from flask import Flask

from .exercises.catalogue import STAGES, all_exercises
from .timeutil import as_utc


def _date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = as_utc(value).date()
    return f"{value.day} {value:%b %Y}"


def _datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return as_utc(value).strftime("%Y-%m-%d %H:%M")


def _inbox_count() -> dict:
    from flask import has_request_context, request
    from flask_login import current_user

    if not has_request_context() or request.blueprint == "portal" or not current_user.is_authenticated:
        return {}
    if not current_user.sees_charts:
        return {}
    from .exercises.services import unreviewed_count

    return {"inbox_count": unreviewed_count(current_user)}


def init_app(app: Flask) -> None:
    app.context_processor(_inbox_count)
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.globals["stage_titles"] = {s.number: s.title for s in STAGES}
    app.jinja_env.globals["exercise_titles"] = {e.key: e.title for e in all_exercises()}
    app.jinja_env.globals["stage_choices"] = [(s.number, f"{s.number}. {s.title}") for s in STAGES]
