"""Running records: exception-log entries and scale placements, from the portal or in session."""

from flask import Blueprint

bp = Blueprint("records", __name__, url_prefix="/records")

from . import views  # noqa: E402,F401
