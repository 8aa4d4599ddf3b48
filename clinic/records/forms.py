"""The clinician's record-in-session form (answers themselves are read by the catalogue parser)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField

from ..formkit import options


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
