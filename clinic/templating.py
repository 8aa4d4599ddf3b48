"""Template filters and globals shared by every page."""

from datetime import date, datetime

from flask import Flask, g, has_request_context, request
from flask_babel import format_date, format_datetime, get_locale, get_timezone, gettext
from flask_login import current_user

from .auth.models import ROLE_LABELS
from .couples.models import STATUS_LABELS as COUPLE_STATUS_LABELS
from .exercises.catalogue import all_exercises, stages
from .exercises.models import ASSIGNMENT_STATUS_LABELS
from .i18n import LANGUAGES, current_language, html_lang, pattern
from .inbox.services import badge, unread_count


def practice_timezone() -> str | None:
    """Flask-Babel's time zone for this request: the practice of the signed-in clinician, or
    of the partner whose portal this is. Dates and times on every page are shown in it."""
    if not has_request_context():
        return None
    partner = g.get("portal_partner")
    if partner is not None:
        return partner.couple.practice.timezone  # loaded with the partner (portal_partner)
    if current_user.is_authenticated:
        return current_user.practice.timezone  # loaded with the user (load_user)
    return None


def _date(value: date | datetime | str | None) -> str:
    """A day in the reader's language (5 Nov 2026, 2026年11月5日); a moment is first moved into
    the practice's zone. An ISO date as text (a stored answer) is read; any other text is shown
    as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return format_date(value, pattern("date", get_locale()))


def _longdate(value: date) -> str:
    """A day written out for mail, in the reader's language (November 5, 2026; 2026年11月5日)."""
    return format_date(value, "long")


def _datetime(value: datetime | None) -> str:
    """A moment in the practice's zone, e.g. 2026-11-05 14:30 (2026年11月5日 14:30)."""
    if value is None:
        return ""
    return format_datetime(value, pattern("datetime", get_locale()))


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


class _InLanguage:
    """A catalogue table for templates, in the language the page (or mail, or PDF) is written in:
    `stage_titles[3]`, `for n, label in stage_choices`. Each language's table is made once."""

    def __init__(self, make):
        self._make = make
        self._tables: dict[str, object] = {}

    def _table(self):
        language = current_language()
        if language not in self._tables:
            self._tables[language] = self._make(language)
        return self._tables[language]

    def __getitem__(self, key):
        return self._table()[key]

    def __iter__(self):
        return iter(self._table())


def init_app(app: Flask) -> None:
    app.context_processor(_locale_and_zone)
    app.context_processor(_inbox_count)
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["longdate"] = _longdate
    app.jinja_env.filters["badge"] = badge
    # <html lang="{{ page_lang() }}">: the language the page is written in (zh-Hans, en).
    app.jinja_env.globals["page_lang"] = lambda: html_lang(get_locale())
    app.jinja_env.globals["current_language"] = lambda: str(get_locale())
    app.jinja_env.filters["html_lang"] = html_lang
    # Text kept as data in English (i18n.N_) that may also be a person's name, in the reader's
    # language: {{ report.scope|translated }}. Jinja's own _() marks what it returns as safe
    # markup and formats it with %, so _(a name) would neither escape nor survive a "%".
    app.jinja_env.filters["translated"] = lambda text: gettext(str(text))
    app.jinja_env.globals["languages"] = LANGUAGES
    # Status words in the reader's language: {{ couple_statuses[c.status] }}.
    app.jinja_env.globals["couple_statuses"] = COUPLE_STATUS_LABELS
    app.jinja_env.globals["assignment_statuses"] = ASSIGNMENT_STATUS_LABELS
    app.jinja_env.globals["role_labels"] = ROLE_LABELS
    app.jinja_env.globals["stage_titles"] = _InLanguage(
        lambda language: {s.number: s.title for s in stages(language)}
    )
    app.jinja_env.globals["exercise_titles"] = _InLanguage(
        lambda language: {e.key: e.title for e in all_exercises(language)}
    )
    app.jinja_env.globals["stage_choices"] = _InLanguage(
        lambda language: [(s.number, f"{s.number}. {s.title}") for s in stages(language)]
    )
