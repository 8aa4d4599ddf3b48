"""PDF rendering with WeasyPrint behind a fetcher that serves only the project's static files."""

from .render import html_to_pdf, pdf_support_problems, render_pdf

__all__ = [
    "STATIC_SCHEME",
    "StaticOnlyFetcher",
    "URLRefused",
    "html_to_pdf",
    "pdf_support_problems",
    "render_pdf",
    "static_url",
]

_LAZY = {"STATIC_SCHEME", "StaticOnlyFetcher", "URLRefused", "static_url"}


def __getattr__(name: str) -> object:
    # The fetcher module imports WeasyPrint (~0.6 s); load it only when someone asks for it.
    if name in _LAZY:
        from . import fetcher

        return getattr(fetcher, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
