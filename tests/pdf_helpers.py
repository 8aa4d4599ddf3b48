"""Helpers for tests that look inside rendered PDFs."""

import io
import shutil
import subprocess
import tempfile

import pypdf
import pytest


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return path


def embedded_files(pdf: bytes, *, count_links: bool = False) -> list[str]:
    """Attachments, an /EmbeddedFiles tree and file-attachment annotations in a PDF.

    With count_links, link annotations count too: client text must not become a link either.
    """
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found = list(reader.attachments)
    names = reader.trailer["/Root"].get("/Names")
    if names is not None and "/EmbeddedFiles" in names.get_object():
        found.append("/EmbeddedFiles")
    kinds = ("/FileAttachment", "/Link") if count_links else ("/FileAttachment",)
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            subtype = annot.get_object().get("/Subtype")
            if subtype in kinds:
                found.append(f"{subtype} annotation")
    return found


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as poppler's pdftotext reads it (what a reader copies out of the file)."""
    done = subprocess.run(  # noqa: S603 - poppler's tool, reading bytes we made
        [_poppler("pdftotext"), "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
        check=True, timeout=60,
    )
    return done.stdout.decode("utf-8")


def pdf_fonts(pdf: bytes) -> list[dict[str, str]]:
    """The fonts poppler's pdffonts lists: name, whether embedded ("yes"/"no"), per font."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        done = subprocess.run(  # noqa: S603 - poppler's tool, on our own temporary file
            [_poppler("pdffonts"), handle.name], capture_output=True, check=True, timeout=60, text=True,
        )
    fonts = []
    for line in done.stdout.splitlines()[2:]:  # a header and a rule first
        parts = line.split()
        # name type [encoding words...] emb sub uni object ID: emb is the 5th column from the end
        fonts.append({"name": parts[0], "embedded": parts[-5]})
    return fonts


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed)."""
    return [page for page in pdf_text(pdf).split("\f") if page.strip()]
