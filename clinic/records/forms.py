"""The clinician's record-in-session form (answers themselves are read by the catalogue parser)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ..formkit import ClinicForm, options
from .models import TAG_CATEGORIES


class SessionRecordForm(ClinicForm):
    partner_id = SelectField(_l("Whose is it?"), coerce=int, validate_choice=False)
    shared = BooleanField(
        _l("Their partner may see it in the portal"),
        description=_l("Off by default: entries stay between the partner and you."),
    )

    def set_partners(self, couple) -> None:
        self.partner_id.choices = options(
            (p.id, _("%(name)s (Partner %(position)s)", name=p.display_name, position=p.position))
            for p in couple.partners
        )


class TimelineForm(ClinicForm):
    class Meta:
        csrf = False

    partner_id = SelectField(_l("Partner"), coerce=int, validators=[Optional()], validate_choice=False)
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])

    def set_partners(self, couple) -> None:
        self.partner_id.choices = options(
            [(0, _("Both partners")), *[(p.id, p.display_name) for p in couple.partners]]
        )


class TagForm(ClinicForm):
    category = SelectField(_l("Kind of condition"), choices=options(TAG_CATEGORIES.items()))
    value = StringField(_l("Condition"), validators=[
        InputRequired(_l("Choose a kind of condition and write it in a few words.")), Length(max=60)])
