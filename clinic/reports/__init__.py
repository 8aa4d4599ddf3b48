"""Practice reports for supervision: de-identified by default, as a page, a PDF and a CSV."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from . import views  # noqa: E402,F401
