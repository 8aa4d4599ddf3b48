"""The PDF fetcher serves static files only; rendered PDFs embed nothing and reach no server."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pypdf
import pytest
from flask import Flask
from flask_babel import Babel
from jinja2 import ChoiceLoader, DictLoader, FileSystemLoader

from clinic.pdf import StaticOnlyFetcher, URLRefused, html_to_pdf, pdf_support_problems, render_pdf
from tests.pdf_helpers import embedded_files

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"


class _Server:
    def __init__(self) -> None:
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits.append(self.path)
                if self.path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", "file:///etc/passwd")
                    self.end_headers()
                    return
                body = b"\x89PNG\r\n\x1a\n" if self.path.endswith(".png") else b"p{color:red}"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()
    srv.thread.join(timeout=5)


@pytest.fixture
def fetcher() -> StaticOnlyFetcher:
    return StaticOnlyFetcher(STATIC)


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_serves_the_print_stylesheet(fetcher: StaticOnlyFetcher) -> None:
    response = fetcher.fetch("clinic-static:css/pdf.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        f"file://{STATIC}/css/pdf.css",  # even our own files: one scheme, no exceptions
        "clinic-static:../pyproject.toml",
        "clinic-static:css/../../pyproject.toml",
        "clinic-static:%2e%2e/pyproject.toml",
        "clinic-static:css/%2e%2e%2f..%2fpyproject.toml",
        "clinic-static:/etc/passwd",
        "clinic-static:css/missing.css",
        "clinic-static:css",
        "data:text/plain,secret",
        "ftp://127.0.0.1/x",
        "css/pdf.css",
    ],
)
def test_refuses_everything_but_static_files(fetcher: StaticOnlyFetcher, url: str) -> None:
    with pytest.raises(URLRefused):
        fetcher.fetch(url)
    assert url in fetcher.refused


@pytest.mark.parametrize("path", ["/x.png", "/redirect?to=file", "/style.css"])
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_never_contacts_a_server(
    fetcher: StaticOnlyFetcher, server: _Server, scheme: str, path: str
) -> None:
    url = server.url.replace("http", scheme, 1) + path
    with pytest.raises(URLRefused):
        fetcher.fetch(url)
    assert server.hits == []


def test_a_refusal_is_an_ordinary_error_weasyprint_survives(fetcher: StaticOnlyFetcher) -> None:
    from weasyprint.urls import URLFetchingError, fetch

    assert issubclass(URLRefused, Exception)
    with pytest.raises(URLFetchingError), fetch(fetcher, "file:///etc/passwd"):
        pass


def test_symlinks_out_of_static_are_refused(tmp_path: Path) -> None:
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "real.css").write_text("p{}")
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "key.txt").write_text("secret")
    (static / "leak.txt").symlink_to(outside / "key.txt")
    (static / "leakdir").symlink_to(outside, target_is_directory=True)
    (static / "alias.css").symlink_to(static / "css" / "real.css")
    fetcher = StaticOnlyFetcher(static)

    for url in ("clinic-static:leak.txt", "clinic-static:leakdir/key.txt"):
        with pytest.raises(URLRefused):
            fetcher.fetch(url)
    assert fetcher.fetch("clinic-static:alias.css").read() == b"p{}"


def test_hostile_html_renders_without_attachments_or_requests(server: _Server) -> None:
    html = f"""<!doctype html><html><head>
      <link rel="stylesheet" href="clinic-static:css/pdf.css">
      <link rel="stylesheet" href="{server.url}/style.css">
      <link rel="attachment" href="file:///etc/hostname">
      <style>
        @import url({server.url}/import.css);
        @font-face {{ font-family: X; src: url({server.url}/font.ttf); }}
        h1 {{ background: url({server.url}/bg.png); }}
      </style></head><body>
      <h1>Report</h1>
      <img src="file:///etc/passwd" alt="">
      <img src="{server.url}/x.png" alt="">
      <img src="{server.url}/redirect.png" alt="">
      <img src="clinic-static:../pyproject.toml" alt="">
      <a rel="attachment" href="file:///etc/hostname">hostname</a>
      <a rel="attachment" href="{server.url}/attach.png">remote</a>
      <object data="{server.url}/object.svg"></object>
      <svg width="10" height="10"><image href="{server.url}/svg.png" width="10" height="10"/></svg>
      <p>Still rendered.</p></body></html>"""

    pdf = html_to_pdf(html, static_dir=STATIC)

    assert pdf.startswith(b"%PDF")
    assert embedded_files(pdf) == []
    assert server.hits == []
    text = _pdf_text(pdf)
    assert "Still rendered." in text
    assert "root:" not in text
    assert "Page 1 of 1" in text  # the @page rule of static/css/pdf.css was applied


def test_latin_and_chinese_text_come_out_as_text() -> None:
    missing = [p for p in pdf_support_problems() if p.startswith("No font covering")]
    if missing:
        pytest.skip("; ".join(missing))
    html = (
        '<html><head><link rel="stylesheet" href="clinic-static:css/pdf.css"></head>'
        "<body><h1>陈静 and Chen Jing</h1><p>我们一起练习。</p></body></html>"
    )
    text = _pdf_text(html_to_pdf(html, static_dir=STATIC))
    assert "陈静" in text
    assert "Chen Jing" in text
    assert "我们一起练习" in text


@pytest.fixture
def pdf_app() -> Flask:
    app = Flask(__name__, static_folder=str(STATIC), template_folder=str(ROOT / "templates"))
    child = (
        '{% extends "pdf/base.html" %}{% block title %}Note{% endblock %}'
        "{% block header %}{{ couple }}{% endblock %}{% block content %}<p>{{ text }}</p>"
        "{% endblock %}"
    )
    app.jinja_loader = ChoiceLoader(
        [DictLoader({"pdf/test_note.html": child}), FileSystemLoader(ROOT / "templates")]
    )
    # The print layout names its language and translates its page numbers; the real app sets
    # both up with its translations (a Babel of the bare app's own, in English).
    Babel(app)
    app.jinja_env.globals["page_lang"] = lambda: "en"
    return app


def test_render_pdf_escapes_what_people_typed(pdf_app: Flask) -> None:
    context = {"couple": "Chen Jing & 陈静", "text": '<img src="file:///etc/passwd"> <b>hi</b>'}
    with pdf_app.app_context():
        pdf = render_pdf("pdf/test_note.html", context)
    text = _pdf_text(pdf)
    assert '<img src="file:///etc/passwd"> <b>hi</b>' in text
    assert "Chen Jing & 陈静" in text  # the running header
    assert "Page 1 of 1" in text
    assert embedded_files(pdf) == []


def test_render_pdf_refuses_orm_objects(pdf_app: Flask) -> None:
    class Row:
        _sa_instance_state = object()

    with pdf_app.app_context(), pytest.raises(TypeError, match="ORM object"):
        render_pdf("pdf/test_note.html", {"couple": "x", "text": [{"note": Row()}]})


@pytest.mark.long
def test_support_check_is_cheap_and_keeps_weasyprint_off_the_request_path() -> None:
    code = (
        "import sys, clinic.pdf\n"
        "problems = clinic.pdf.pdf_support_problems()\n"
        "assert all(isinstance(p, str) for p in problems), problems\n"
        "assert 'weasyprint' not in sys.modules\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
