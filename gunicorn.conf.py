"""gunicorn's settings for the app, read when gunicorn starts in this folder (the README's
production command). Command-line options given there win over these."""

from pathlib import Path


def post_worker_init(worker) -> None:
    """Each web worker loads WeasyPrint and its fonts as it starts, not at the first PDF."""
    from clinic.pdf.render import warm_up  # the app is loaded by now; this only names a function

    try:
        warm_up(Path(worker.wsgi.static_folder))
    except OSError as error:  # Pango or fonts missing: the app already said so at start-up
        worker.log.warning("PDF warm-up skipped: %s", error)
