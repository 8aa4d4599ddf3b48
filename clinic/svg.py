"""SVG drawing shared by every chart (the scale chart, the report's bars): escaped text, compact
numbers, linear scales, deterministic ids and one accessible <svg> document (title, description).

A leaf: no Flask, no database. Everything a chart draws goes through `element`, so every piece of
text and every attribute is escaped in one place, and the same input always gives the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

# Characters XML 1.0 forbids even when escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PLAIN = re.compile("[^&<>\"'\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*\\Z")
_ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


def text(value: object) -> str:
    """`value` as XML character data or attribute value: escaped, illegal characters dropped."""
    shown = str(value)
    if _PLAIN.match(shown):  # most values (colours, classes, coordinates) need nothing
        return shown
    return str(escape(_XML_ILLEGAL.sub("", shown)))


def num(number: float) -> str:
    """A coordinate with at most one decimal and no trailing zeros ("12", "12.5", never "-0")."""
    shown = f"{number:.1f}".rstrip("0").rstrip(".")
    return "0" if shown == "-0" else shown


def text_width(value: str, per_char: float) -> float:
    """Rough width of a label: wide (CJK) characters count nearly double."""
    wide = sum(1 for c in value if unicodedata.east_asian_width(c) in "WF")
    return (len(value) - wide) * per_char + wide * per_char * 1.8


def truncate(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def is_valid_id(value: str) -> bool:
    return bool(_ID_RE.match(value))


def digest_id(prefix: str, *data: object) -> str:
    """An element id derived from the chart's input: two different charts on a page never clash."""
    return f"{prefix}-{hashlib.sha256(repr(data).encode()).hexdigest()[:12]}"


@dataclass(frozen=True)
class Linear:
    """Maps the interval `domain` onto `span` (drawing units); an empty domain maps to the middle."""

    domain: tuple[float, float]
    span: tuple[float, float]

    def __call__(self, value: float) -> float:
        (d0, d1), (r0, r1) = self.domain, self.span
        if d0 == d1:
            return (r0 + r1) / 2
        return r0 + (value - d0) / (d1 - d0) * (r1 - r0)


@functools.cache
def _svg_name(name: str) -> str:
    return name.rstrip("_").replace("_", "-")


def attributes(values: dict[str, object]) -> str:
    """' name="value"' for each value that is not None; numbers compact, text escaped.

    A trailing underscore is dropped and other underscores become hyphens, so Python names
    stand for SVG ones: class_ -> class, stroke_width -> stroke-width.
    """
    return "".join(
        f' {_svg_name(name)}="{_shown(value)}"' for name, value in values.items() if value is not None
    )


def _shown(value: object) -> str:
    kind = type(value)
    if kind is float:
        return num(value)  # type: ignore[arg-type]
    return str(value) if kind is int else text(value)


def start(tag: str, /, **values: object) -> str:
    """An opening tag, for an element whose children follow (close it with f"</{tag}>")."""
    return f"<{tag}{attributes(values)}>"


def element(tag: str, content: str | None = None, /, **values: object) -> str:
    """One element; `content` is markup already built by these helpers (use `label` for text)."""
    if content is None:
        return f"<{tag}{attributes(values)}/>"
    return f"<{tag}{attributes(values)}>{content}</{tag}>"


def label(x: float, y: float, content: object, /, **values: object) -> str:
    """A <text> element whose content is escaped."""
    return element("text", text(content), x=float(x), y=float(y), **values)


def document(
    parts: Iterable[str],
    *,
    chart_id: str,
    title: str,
    description: str,
    width: int,
    height: int,
    **values: object,
) -> Markup:
    """The <svg> around `parts`: an image named by its <title> and described by its <desc>."""
    head = start(
        "svg", xmlns="http://www.w3.org/2000/svg", **values, id=chart_id, role="img",
        aria_labelledby=f"{chart_id}-title {chart_id}-desc", width=width, height=height,
        viewBox=f"0 0 {width} {height}",
    )
    body = "".join(parts)
    title_el = element("title", text(title), id=f"{chart_id}-title")
    desc_el = element("desc", text(description), id=f"{chart_id}-desc")
    # Safe: every attribute and text went through text()/num() in element() and label().
    return Markup(f"{head}{title_el}{desc_el}{body}</svg>")  # noqa: S704
