"""The catalogs themselves: each compiles under Babel's own checks (what `make` runs), and every
string marked in the code has its Simplified Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
    "lazy_ngettext": (1, 2), "N_": None, "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2),
}


def _catalog(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def _marked_strings() -> set[tuple[str, str | None]]:
    """Every (msgid, context) the code marks, found the way `make messages` finds them (babel.cfg)."""
    method_map = [
        ("clinic/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/**.txt", "jinja2"),
    ]
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=KEYWORDS
    ):
        found.add((message[0] if isinstance(message, tuple) else message, context))
    return found


@pytest.mark.parametrize("language", ["en", "zh_Hans"])
def test_each_catalog_passes_babels_checks(language):
    # pybabel compile refuses a catalog whose translation names a placeholder its source lacks
    # (a Chinese plural has one form, checked against the English singular).
    problems = [
        (message.id, str(error))
        for message, errors in _catalog(language).check()
        for error in errors
    ]
    assert problems == []


def test_every_marked_string_has_its_chinese():
    catalog = _catalog("zh_Hans")
    missing, empty, fuzzy = [], [], []
    for msgid, context in sorted(_marked_strings(), key=lambda pair: (pair[0], pair[1] or "")):
        message = catalog.get(msgid, context=context)
        if message is None:
            missing.append(msgid)
        elif not (all(message.string) if isinstance(message.string, tuple) else message.string):
            empty.append(msgid)
        elif message.fuzzy:
            fuzzy.append(msgid)
    assert missing == [], "run `make messages` and translate these"
    assert empty == [], "these have no Chinese yet"
    assert fuzzy == [], "these are marked fuzzy: check the Chinese and remove the flag"
