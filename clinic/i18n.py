"""Languages: which ones the app speaks, whose language a page is in, how each writes a date,
and the compiled catalogs (translations/<language>/LC_MESSAGES/messages.po -> .mo).

The language of a page comes from the person reading it: a partner's portal from the partner's
setting, a signed-in staff member's pages from their own. Only a page read before anyone is known
(sign-in, password reset, a portal link's Continue page, the portal's goodbye) follows the
browser's Accept-Language, limited to the languages below. Mail is written under the recipient's
language and PDFs under their reader's (`flask_babel.force_locale`), never the request's.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

# Code -> the language's name in itself (shown as is in every language: a reader looks for their own).
LANGUAGES = {"en": "English", "zh_Hans": "简体中文"}
DEFAULT_LANGUAGE = "en"

# A language picked on a page read before anyone is known (kept in the session, nowhere else).
SESSION_KEY = "lang"

# How each language writes a day and a moment (Babel/CLDR patterns; 年月日 are literals).
_PATTERNS = {
    "en": {"date": "d MMM y", "day_month": "d MMM", "long": "d MMMM y", "long_day_month": "d MMMM",
           "datetime": "yyyy-MM-dd HH:mm"},
    "zh_Hans": {"date": "y年M月d日", "day_month": "M月d日", "long": "y年M月d日",
                "long_day_month": "M月d日", "datetime": "y年M月d日 HH:mm"},
}


def N_(text: str) -> str:
    """Marks text for the catalogs that is kept as data (in English) and translated where it is
    shown: `{{ report.scope|translated }}`."""
    return text


def supported(code: object) -> str:
    """`code` if the app speaks it, else the default language (an old or tampered value)."""
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def html_lang(locale: object) -> str:
    """The BCP 47 tag for an HTML `lang` attribute: zh_Hans -> zh-Hans."""
    return str(locale or DEFAULT_LANGUAGE).replace("_", "-")


def pattern(kind: str, locale: object) -> str:
    """How `locale` writes a `kind` of date: date (5 Nov 2026), day_month (5 Nov), long
    (5 November 2026), long_day_month (5 November), datetime (2026-11-05 14:30)."""
    return _PATTERNS.get(str(locale), _PATTERNS[DEFAULT_LANGUAGE])[kind]


def from_browser(accepted: list[tuple[str, float]]) -> str:
    """The first language of an Accept-Language list the app speaks (any Chinese reads the
    Simplified pages: closer than English for a reader of Traditional characters)."""
    for tag, _quality in accepted:
        primary = tag.replace("_", "-").split("-")[0].lower()
        if primary == "zh":
            return "zh_Hans"
        if primary == "en":
            return "en"
    return DEFAULT_LANGUAGE


def operator_language(environ: dict | None = None) -> str:
    """The language of a person at a terminal running a `flask` command: their locale settings
    (LC_ALL, LC_MESSAGES, LANG, as gettext reads them), mapped onto the languages the app speaks."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            tag = value.split(".")[0].split("@")[0]
            return from_browser([(tag, 1.0)]) if tag not in ("C", "POSIX") else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def current_language() -> str:
    """The language being written now (a page's, or the one a mail or PDF forced); the default
    outside any app context (pure functions called from tests or scripts)."""
    return str(get_locale() or DEFAULT_LANGUAGE)


def person_locale() -> str:
    """Flask-Babel's locale for this request: the portal's partner, else the signed-in staff
    member, else (nobody known yet) the language picked on such a page, else the browser's
    Accept-Language. Outside a request (the worker, the CLI) the default; mail and PDFs force
    their reader's language themselves."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    partner = g.get("portal_partner")
    if partner is not None:
        return supported(partner.locale)
    if request.blueprint != "portal" and current_user.is_authenticated:
        return supported(current_user.locale)
    if session.get(SESSION_KEY) in LANGUAGES:
        return session[SESSION_KEY]
    return from_browser(list(request.accept_languages))


def compile_catalogs(directory: Path) -> list[str]:
    """Compile every messages.po whose .mo is missing or older than it, beside it.

    `make` does this at install; this catches a checkout run without make (e.g. pytest straight
    away). Returns the catalogs that could not be written (a read-only install): the app then
    speaks English for them, and says so, rather than refusing to start.
    """
    problems = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parent.parent.name)
            # Written aside and renamed: a second process starting at once never reads half a file.
            with tempfile.NamedTemporaryFile("wb", dir=mo_path.parent, delete=False) as mo_file:
                write_mo(mo_file, catalog)
            os.replace(mo_file.name, mo_path)
        except OSError as error:
            problems.append(f"{po_path.parent.parent.name}: {error}")
    return problems
