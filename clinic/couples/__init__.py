"""Client couples, their two partners, and their movement through the six stages."""

from flask import Blueprint

bp = Blueprint("couples", __name__, url_prefix="/couples")

from . import views  # noqa: E402,F401
