"""Reminders to partners: when an exercise is due, in the practice's hours, pausable and switchable."""

from flask import Blueprint

bp = Blueprint("reminders", __name__, url_prefix="/reminders")

from . import views  # noqa: E402,F401
