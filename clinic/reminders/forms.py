"""The clinician's reminder switch for a couple (a partner's pause is a portal form)."""

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf


class CoupleRemindersForm(FlaskForm):
    on = HiddenField(validators=[AnyOf(("0", "1"))])
