"""WeasyPrint URL fetcher that serves the project's static files and refuses every other URL.

Importing this module imports WeasyPrint (about 0.6 s), so only `render.html_to_pdf` imports it,
lazily, when a PDF is actually rendered.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote

from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_SCHEME = "clinic-static"
STATIC_PREFIX = f"{STATIC_SCHEME}:"
MAX_STATIC_BYTES = 10 * 1024 * 1024


class URLRefused(ValueError):
    """The fetcher will not serve this URL.

    A ValueError on purpose: WeasyPrint turns any Exception raised by a fetcher into a logged
    URLFetchingError and renders the document without that resource, whereas a BaseException
    (such as its FatalURLFetchingError) would abort the render.
    """


def static_url(filename: str) -> str:
    """Return the URL a PDF template uses for ``static/<filename>``."""
    return STATIC_PREFIX + filename.lstrip("/")


class StaticOnlyFetcher(URLFetcher):
    """Serve ``clinic-static:<path relative to static_dir>`` and refuse everything else.

    Why a private scheme rather than ``file://<static_dir>/`` as base URL: with a private scheme
    the rule is "one scheme, no exceptions". Every ``file:``, ``http:``, ``https:``, ``ftp:`` and
    ``data:`` URL is refused before any path is looked at, no other component (urllib, a proxy
    setting, a ``<base href>``) knows how to open it, and server paths never end up in the PDF.
    The documents are rendered without a base URL, so relative references (``css/pdf.css``,
    ``/static/x.png``) do not resolve at all; write ``clinic-static:css/pdf.css`` in templates and
    inside static CSS files alike.

    ``data:`` URIs are refused too: charts are inline ``<svg>`` elements in the HTML and need no
    URL, and refusing them keeps the allowed set to one scheme.

    Paths are resolved (``..``, symlinks) and must stay inside ``static_dir``; hidden files and
    anything that is not a regular file are refused. Redirects cannot happen: nothing here speaks
    HTTP, and the urllib handlers inherited from ``URLFetcher`` are removed.

    Refusals raise :class:`URLRefused` (a ValueError). WeasyPrint logs it and renders without the
    resource; the refused URLs are also kept in :attr:`refused` for callers and tests.
    """

    def __init__(self, static_dir: Path | str) -> None:
        super().__init__(
            allowed_protocols=(STATIC_SCHEME,), allow_redirects=False, fail_on_errors=False
        )
        # Defence in depth: no urllib handler (file, http, ftp, data, redirect) is left to open
        # anything, should some code path reach OpenerDirector machinery directly.
        self.handlers = []
        self.handle_open = {}
        self.handle_error = {}
        self.process_request = {}
        self.process_response = {}
        self.static_dir = Path(static_dir).resolve(strict=True)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        try:
            path = self._static_path(url)
            data = path.read_bytes()
        except (URLRefused, OSError) as exc:
            self.refused.append(url)
            if isinstance(exc, URLRefused):
                raise
            raise URLRefused(f"cannot read static file for {url!r}") from exc
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, data, {"Content-Type": content_type})

    def open(self, url, data=None, timeout=None):  # type: ignore[override]
        # OpenerDirector.open would dispatch to urllib; only our fetch may answer.
        return self.fetch(url if isinstance(url, str) else url.full_url)

    def _static_path(self, url: str) -> Path:
        if not isinstance(url, str) or not url[: len(STATIC_PREFIX)].lower() == STATIC_PREFIX:
            raise URLRefused(f"only {STATIC_PREFIX} URLs are served, refused {url!r}")
        relative = unquote(url[len(STATIC_PREFIX) :].split("#", 1)[0].split("?", 1)[0])
        if not relative or "\x00" in relative or "\\" in relative or relative.startswith("/"):
            raise URLRefused(f"malformed static URL {url!r}")
        parts = relative.split("/")
        if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
            raise URLRefused(f"static URL {url!r} must be a plain relative path")
        path = self.static_dir.joinpath(*parts).resolve()
        if not path.is_relative_to(self.static_dir):
            raise URLRefused(f"static URL {url!r} leaves the static folder")
        if not path.is_file():
            raise URLRefused(f"no static file for {url!r}")
        if path.stat().st_size > MAX_STATIC_BYTES:
            raise URLRefused(f"static file for {url!r} is too large")
        return path
