"""Filters for the audit log."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from ..formkit import ClinicForm


class AuditFilterForm(ClinicForm):
    class Meta:
        csrf = False

    user_id = SelectField(_l("Person"), coerce=int, validators=[Optional()], validate_choice=False)
    couple_id = IntegerField(_l("Couple number"), validators=[Optional(), NumberRange(min=1)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])
