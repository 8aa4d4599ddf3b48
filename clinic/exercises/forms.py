"""Forms for assigning exercises and answering submissions."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from ..formkit import ClinicForm, options

TARGET_LABELS = {
    "each": _l("Each partner, on their own"),
    "A": _l("Partner A only"),
    "B": _l("Partner B only"),
    "joint": _l("Both, together"),
}
# Who an exercise may go to, by its catalogue mode.
TARGETS_BY_MODE = {
    "individual": ("each", "A", "B"),
    "joint": ("joint",),
    "either": ("each", "A", "B", "joint"),
}


class AssignRow(Form):
    key = HiddenField()
    pick = BooleanField(_l("Assign"))
    target = SelectField(_l("Who"), choices=options(TARGET_LABELS.items()), default="each")
    due_on = DateField(_l("Due"), validators=[Optional()])
    note = StringField(
        _l("Note for them"), validators=[Optional(), Length(max=500)],
        description=_l("A short personal line, shown with the exercise."),
    )


class AssignForm(ClinicForm):
    rows = FieldList(FormField(AssignRow))
    # Shown only while the couple has a safety flag (and the practice's policy asks for it).
    confirm_joint = BooleanField(
        _l("I have considered the safety flag: working together is safe for both partners now"),
    )


class ReplyForm(ClinicForm):
    reply = TextAreaField(
        _l("Reply"), validators=[InputRequired(), Length(max=2000)],
        description=_l("The partner sees this under their submission."),
    )


class ReviewForm(ClinicForm):
    """Just the CSRF token for the “mark reviewed” button."""
