"""The clinician's record-in-session form (answers themselves are read by the catalogue parser)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ..formkit import options
from .models import TAG_CATEGORIES


class SessionRecordForm(FlaskForm):
    partner_id = SelectField("Whose is it?", coerce=int, validate_choice=False)
    shared = BooleanField(
        "Their partner may see it in the portal",
        description="Off by default: entries stay between the partner and you.",
    )

    def set_partners(self, couple) -> None:
        self.partner_id.choices = options(
            (p.id, f"{p.display_name} (Partner {p.position})") for p in couple.partners
        )


class TimelineForm(FlaskForm):
    class Meta:
        csrf = False

    partner_id = SelectField("Partner", coerce=int, validators=[Optional()], validate_choice=False)
    since = DateField("From", validators=[Optional()])
    until = DateField("Until", validators=[Optional()])

    def set_partners(self, couple) -> None:
        self.partner_id.choices = options(
            [(0, "Both partners"), *[(p.id, p.display_name) for p in couple.partners]]
        )


class TagForm(FlaskForm):
    category = SelectField("Kind of condition", choices=options(TAG_CATEGORIES.items()))
    value = StringField("Condition", validators=[InputRequired(), Length(max=60)])
