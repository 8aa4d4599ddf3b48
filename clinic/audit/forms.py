"""Filters for the audit log."""

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    user_id = SelectField("Person", coerce=int, validators=[Optional()], validate_choice=False)
    couple_id = IntegerField("Couple number", validators=[Optional(), NumberRange(min=1)])
    since = DateField("From", validators=[Optional()])
    until = DateField("Until", validators=[Optional()])
