"""The clinician's reminder switch for a couple (a partner's pause is a portal form)."""

from wtforms import HiddenField
from wtforms.validators import AnyOf

from ..formkit import ClinicForm


class CoupleRemindersForm(ClinicForm):
    on = HiddenField(validators=[AnyOf(("0", "1"))])
