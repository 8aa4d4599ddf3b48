"""Render templates to PDF bytes with WeasyPrint, and report what the host lacks to do so."""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import importlib.metadata
import importlib.util
import shutil
import subprocess
from pathlib import Path

from flask import current_app, render_template

MIN_WEASYPRINT = (70, 0)
MIN_PANGO = 14400  # WeasyPrint needs Pango >= 1.44
FC_LIST_TIMEOUT = 10.0

_FONTCONFIG_NAMES = ("libfontconfig.so.1", "libfontconfig.1.dylib", "fontconfig")
# (what, apt package, shared object names tried in order: the ones WeasyPrint's ffi tries)
_LIBRARIES = (
    ("Pango", "libpango-1.0-0", ("libpango-1.0.so.0", "libpango-1.0.dylib", "pango-1.0")),
    ("PangoFT2", "libpangoft2-1.0-0", ("libpangoft2-1.0.so.0", "libpangoft2-1.0.dylib")),
    ("HarfBuzz", "libharfbuzz0b", ("libharfbuzz.so.0", "libharfbuzz.0.dylib", "harfbuzz")),
    (
        "HarfBuzz subset",
        "libharfbuzz-subset0",
        ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "harfbuzz-subset"),
    ),
    ("Fontconfig", "libfontconfig1", _FONTCONFIG_NAMES),
    ("GObject", "libglib2.0-0", ("libgobject-2.0.so.0", "libgobject-2.0.0.dylib")),
)
_FONT_NEEDS = (
    ("en", "Latin", "fonts-dejavu-core"),
    ("zh", "Chinese", "fonts-wqy-microhei (or fonts-noto-cjk)"),
)


def html_to_pdf(html: str, *, static_dir: Path) -> bytes:
    """Render an HTML string to PDF; only ``clinic-static:`` URLs under static_dir are fetched."""
    # Imported here: WeasyPrint costs ~0.6 s to import and most requests never print.
    from weasyprint import HTML

    from .fetcher import StaticOnlyFetcher

    fetcher = StaticOnlyFetcher(static_dir)
    # No base_url: relative references stay unresolved instead of becoming file: URLs.
    # Tagged (PDF/UA-1): a screen reader follows headings, tables and reading order.
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(pdf_variant="pdf/ua-1")


def warm_up(static_dir: Path) -> None:
    """Import WeasyPrint and lay out a two-line page in Latin and Chinese, so that a web worker
    pays for the import, Pango and the fonts when it starts (gunicorn.conf.py), not the first
    person who asks for a PDF (about 2 s)."""
    html_to_pdf('<!doctype html><meta charset="utf-8"><p lang="en">Clinic</p><p lang="zh">诊所</p>',
                static_dir=static_dir)


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Flask template with plain data (never ORM objects) to PDF bytes.

    Raises TypeError if the context holds an ORM instance, so a template can never trigger a
    lazy load (a query) while printing.
    """
    _reject_orm_objects(context)
    static_folder = current_app.static_folder
    if static_folder is None:
        raise RuntimeError("the application has no static folder to serve PDF assets from")
    html = render_template(template_name, **context)
    return html_to_pdf(html, static_dir=Path(static_folder))


def _reject_orm_objects(value: object, _seen: set[int] | None = None) -> None:
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if hasattr(value, "_sa_instance_state"):
        raise TypeError(
            f"PDF context holds an ORM object ({type(value).__name__}); pass plain data instead"
        )
    if isinstance(value, dict):
        children = list(value.values())
    elif isinstance(value, list | tuple | set | frozenset):
        children = list(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        children = [getattr(value, f.name) for f in dataclasses.fields(value)]
    else:
        return
    for child in children:
        _reject_orm_objects(child, seen)


def pdf_support_problems() -> list[str]:
    """Return what stops this host from rendering PDFs well, as messages for an operator.

    Cheap (a few milliseconds with a warm font cache) and without importing WeasyPrint: it checks
    the package version, loads the native libraries WeasyPrint loads, and asks fontconfig for
    fonts covering Latin and Chinese text. An empty list means all is well.
    """
    problems = _weasyprint_problems()
    for what, package, names in _LIBRARIES:
        lib = _load_library(names)
        if lib is None:
            problems.append(f"{what} is missing: apt-get install {package}")
        elif what == "Pango":
            version = lib.pango_version()
            if version < MIN_PANGO:
                problems.append(
                    f"Pango {version // 10000}.{version // 100 % 100} is too old (WeasyPrint "
                    "needs 1.44 or later): upgrade libpango-1.0-0"
                )
    problems.extend(_font_problems())
    return problems


def _weasyprint_problems() -> list[str]:
    if importlib.util.find_spec("weasyprint") is None:
        return ["WeasyPrint is not installed: pip install 'WeasyPrint>=70'"]
    try:
        version = importlib.metadata.version("weasyprint")
    except importlib.metadata.PackageNotFoundError:
        return []
    numbers = tuple(int(part) for part in version.split(".")[:2] if part.isdigit())
    if numbers < MIN_WEASYPRINT:
        return [
            f"WeasyPrint {version} is too old: versions before 70 let attachments and redirects "
            "bypass the URL fetcher; pip install 'WeasyPrint>=70'"
        ]
    return []


def _load_library(names: tuple[str, ...]) -> ctypes.CDLL | None:
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def _font_problems() -> list[str]:
    problems = []
    for lang, script, package in _FONT_NEEDS:
        count = _count_fonts(lang)
        if count is None:
            return [
                "Cannot list fonts: fc-list is missing or failed (apt-get install fontconfig); "
                "Latin and Chinese text may print as empty boxes"
            ]
        if count == 0:
            problems.append(f"No font covering {script} text: apt-get install {package}")
    return problems


def _count_fonts(lang: str) -> int | None:
    """Count installed fonts covering ``lang``, via fc-list or, without it, libfontconfig."""
    fc_list = shutil.which("fc-list")
    if fc_list is not None:
        try:
            result = subprocess.run(  # noqa: S603 - fixed argv, no shell, no user input
                [fc_list, f":lang={lang}", "family"],
                capture_output=True,
                timeout=FC_LIST_TIMEOUT,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return sum(1 for line in result.stdout.splitlines() if line.strip())
    return _count_fonts_ctypes(lang)


def _count_fonts_ctypes(lang: str) -> int | None:
    lib = _load_library(_FONTCONFIG_NAMES)
    if lib is None:
        return None
    vp = ctypes.c_void_p
    lib.FcInitLoadConfigAndFonts.restype = vp
    lib.FcNameParse.restype = vp
    lib.FcNameParse.argtypes = [ctypes.c_char_p]
    lib.FcObjectSetCreate.restype = vp
    lib.FcObjectSetAdd.argtypes = [vp, ctypes.c_char_p]
    lib.FcFontList.restype = ctypes.POINTER(ctypes.c_int)  # FcFontSet starts with int nfont
    lib.FcFontList.argtypes = [vp, vp, vp]
    lib.FcFontSetDestroy.argtypes = [ctypes.POINTER(ctypes.c_int)]
    lib.FcObjectSetDestroy.argtypes = [vp]
    lib.FcPatternDestroy.argtypes = [vp]
    lib.FcConfigDestroy.argtypes = [vp]
    config = lib.FcInitLoadConfigAndFonts()
    if not config:
        return None
    pattern = lib.FcNameParse(f":lang={lang}".encode())
    objects = lib.FcObjectSetCreate()
    lib.FcObjectSetAdd(objects, b"family")
    font_set = lib.FcFontList(config, pattern, objects)
    count = font_set[0] if font_set else 0
    if font_set:
        lib.FcFontSetDestroy(font_set)
    lib.FcObjectSetDestroy(objects)
    lib.FcPatternDestroy(pattern)
    lib.FcConfigDestroy(config)
    return count
