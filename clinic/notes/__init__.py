"""Session notes: collaborative sections, pre-filled drafts, the language check, signing, PDF."""

from flask import Blueprint

bp = Blueprint("notes", __name__, url_prefix="/notes")

from . import views  # noqa: E402,F401
