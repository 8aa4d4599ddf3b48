"""Helpers for tests that look inside rendered PDFs."""

import io

import pypdf


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
