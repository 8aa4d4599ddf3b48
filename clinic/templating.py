"""Template filters and globals shared by every page."""

from datetime import date, datetime

from flask import Flask, g, has_request_context, request
from flask_babel import format_date, format_datetime, get_locale, get_timezone
from flask_login import current_user

from .exercises.catalogue import STAGES, all_exercises
from .i18n import LANGUAGES, date_pattern, datetime_pattern, html_lang
from .inbox.services import unread_count
from .practice.services import timezone_name
from .timeutil import as_utc


def practice_timezone() -> str | None:
    """Flask-Babel's time zone for this request: the practice of the signed-in clinician, or
    of the partner whose portal this is. Dates and times on every page are shown in it."""
    if not has_request_context():
        return None
    partner = g.get("portal_partner")
    if partner is not None:
        return timezone_name(couple_id=partner.couple_id)
    if current_user.is_authenticated:
        return timezone_name(practice_id=current_user.practice_id)
    return None


def _date(value: date | datetime | None) -> str:
    """A day in the reader's language (5 Nov 2026, 2026年11月5日); a moment is first moved into
    the practice's zone."""
    if value is None:
        return ""
    return format_date(
        as_utc(value) if isinstance(value, datetime) else value, date_pattern(get_locale())
    )


def _longdate(value: date) -> str:
    """A day written out for mail, in the reader's language (November 5, 2026; 2026年11月5日)."""
    return format_date(value, "long")


def _datetime(value: datetime | None) -> str:
    """A moment in the practice's zone, e.g. 2026-11-05 14:30 (2026年11月5日 14:30)."""
    if value is None:
        return ""
    return format_datetime(as_utc(value), datetime_pattern(get_locale()))


def _locale_and_zone() -> dict:
    """Look the reader's language and the practice's zone up before the template renders
    (templates never query); Flask-Babel keeps both for the rest of the request."""
    if has_request_context():
        get_locale()
        get_timezone()
    return {}


def _inbox_count() -> dict:
    if not has_request_context() or request.blueprint == "portal" or not current_user.is_authenticated:
        return {}
    if not current_user.sees_charts:
        return {}
    return {"inbox_count": unread_count(current_user)}


def init_app(app: Flask) -> None:
    app.context_processor(_locale_and_zone)
    app.context_processor(_inbox_count)
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["longdate"] = _longdate
    # <html lang="{{ page_lang() }}">: the language the page is written in (zh-Hans, en).
    app.jinja_env.globals["page_lang"] = lambda: html_lang(get_locale())
    app.jinja_env.globals["current_language"] = lambda: str(get_locale())
    app.jinja_env.filters["html_lang"] = html_lang
    app.jinja_env.globals["languages"] = LANGUAGES
    app.jinja_env.globals["stage_titles"] = {s.number: s.title for s in STAGES}
    app.jinja_env.globals["exercise_titles"] = {e.key: e.title for e in all_exercises()}
    app.jinja_env.globals["stage_choices"] = [(s.number, f"{s.number}. {s.title}") for s in STAGES]
