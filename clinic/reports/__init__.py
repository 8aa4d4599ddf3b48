"""Practice reports for supervision: de-identified by default, as a page, a PDF and a CSV."""
