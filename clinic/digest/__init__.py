"""The clinician's daily digest by email: opt-in, counts and case labels only, in practice hours."""

from flask import Blueprint

bp = Blueprint("digest", __name__, url_prefix="/digest")

from . import views  # noqa: E402,F401
