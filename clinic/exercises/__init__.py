"""Exercises: the catalogue (pure data), assignments to partners, and what they submit."""

from flask import Blueprint

bp = Blueprint("exercises", __name__, url_prefix="/exercises")

from . import views  # noqa: E402,F401
