"""Every template speaks through the catalogs: visible English outside `_()`/`ngettext` fails.

Each template under templates/ is lexed by Jinja; every tag, expression and comment becomes a
blank, and what is left is parsed as HTML. Its text and the attributes a person reads or hears
(title, alt, placeholder, aria-label, a button's value) must hold no word of Latin letters but
the names below. String literals inside expressions are checked too: a capitalised phrase passed
to a macro or set into a variable is shown somewhere, so it must be marked where it is written.
Mail bodies (.txt) are all text.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"

# Words that are the same in every language: the product's name, formats, standards.
ALLOWED = {"Clinic", "PDF", "CSV", "TOTP", "QR", "CJK", "SHA", "UTC", "JSON"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
HEARD_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "label"}
TRANSLATING_CALLS = {"_", "gettext", "ngettext", "_l", "lazy_gettext", "pgettext"}
# A literal in an expression is shown text when it reads like a phrase: a capital then letters,
# or two words. Endpoints, field names and formats are single tokens; a list of the stylesheets'
# classes ("button small") is not text either.
PHRASE = re.compile(r"^[A-Z][a-z]+|[A-Za-z]+ [A-Za-z]+")
CSS_CLASSES = {
    name for sheet in (ROOT / "static" / "css").glob("*.css")
    for name in re.findall(r"\.([a-z][a-z0-9_-]*)", sheet.read_text(encoding="utf-8"))
}
IDENTIFIER = re.compile(r"[A-Z][a-z]+[A-Z][A-Za-z]*")  # BooleanField: compared, never shown
# A macro that writes attributes (aria-invalid="true") outside any tag.
ATTRIBUTE_TEXT = re.compile(r'[a-z][a-z-]*="[^"]*"')

# What stands for a Jinja construct: a word, so `<{{ tag }} class=...>` still parses as a tag.
BLANK = " jinja "
_env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)


def _template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


def _lex(source: str):
    """(text with every Jinja construct blanked, unmarked string literals in expressions)."""
    text, literals = [], []
    call_stack: list[bool] = []  # per open parenthesis: is it a translating call?
    previous_name = None
    for lineno, kind, value in _env.lex(source):
        if kind == "data":
            text.append(value)
        elif kind in {"variable_begin", "block_begin", "comment_begin"}:
            text.append(BLANK)
        elif kind == "name":
            previous_name = value
            continue
        elif kind == "operator" and value == "(":
            call_stack.append(previous_name in TRANSLATING_CALLS)
        elif kind == "operator" and value == ")" and call_stack:
            call_stack.pop()
        elif kind == "string" and not any(call_stack):
            literals.append((lineno, ast.literal_eval(value)))
        previous_name = None
    return "".join(text), literals


class _Visible(HTMLParser):
    """Collects the text a reader sees or hears: data outside script/style, and read attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._hidden += 1
        attributes = dict(attrs)
        for name, value in attrs:
            if value and (name in HEARD_ATTRIBUTES or (
                name == "value" and tag == "input" and attributes.get("type") in {"submit", "button"}
            )):
                self.found.append(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.found.append(data)


def english_in(path: Path) -> list[str]:
    """The unmarked English of one template, as short snippets to point a person at."""
    source = path.read_text(encoding="utf-8")
    text, literals = _lex(source)
    if path.suffix == ".txt":
        pieces = [text]
    else:
        parser = _Visible()
        parser.feed(text)
        parser.close()
        pieces = parser.found
    problems = []
    for piece in pieces:
        piece = ATTRIBUTE_TEXT.sub(" ", piece).replace(BLANK.strip(), " ")
        words = [w for w in WORD.findall(piece) if w.strip("-'’") not in ALLOWED]
        if words:
            problems.append(" ".join(piece.split())[:80])
    for lineno, literal in literals:
        if IDENTIFIER.fullmatch(literal) or set(literal.split()) <= CSS_CLASSES | ALLOWED:
            continue
        if PHRASE.search(literal):
            problems.append(f"line {lineno}: {literal!r}")
    return problems


@pytest.mark.parametrize("path", _template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_has_no_unmarked_english(path):
    assert english_in(path) == [], "wrap these in _() (and give them their Chinese)"


def test_the_guard_finds_english(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '{% extends "base.html" %}{% block content %}<h1>{{ _("Caseload") }}</h1>'
        '<p>Nothing yet</p><input type="submit" value="Save"><a title="Open {{ name }}">x</a>'
        '{{ ui.button(label="Sign note") }}{{ url_for("notes.detail", id=1) }}'
        '<span class="badge muted">Clinic · PDF</span><script>let a = "Hidden";</script>{% endblock %}',
        encoding="utf-8",
    )
    found = english_in(page)
    assert found == ["Nothing yet", "Save", "Open", "x", "line 1: 'Sign note'"]
