"""Safety pages: the neutral page the portal's quick exit lands on."""

from flask import Blueprint, render_template

# The neutral page lives outside /portal and /safety: its address must say nothing of therapy.
away = Blueprint("away", __name__)


@away.route("/today")
def today():
    """An everyday page (a recipe) with nothing of the practice on it; reads and changes nothing."""
    return render_template("safety/today.html")
