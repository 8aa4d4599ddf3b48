"""Forms for assigning exercises and answering submissions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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

from ..formkit import options

TARGET_LABELS = {
    "each": "Each partner, on their own",
    "A": "Partner A only",
    "B": "Partner B only",
    "joint": "Both, together",
}


class AssignRow(Form):
    key = HiddenField()
    pick = BooleanField("Assign")
    target = SelectField("Who", choices=options(TARGET_LABELS.items()), default="each")
    due_on = DateField("Due", validators=[Optional()])
    note = StringField(
        "Note for them", validators=[Optional(), Length(max=500)],
        description="A short personal line, shown with the exercise.",
    )


class AssignForm(FlaskForm):
    rows = FieldList(FormField(AssignRow))
    # Shown only while the couple has a safety flag (and the practice's policy asks for it).
    confirm_joint = BooleanField(
        _l("I have considered the safety flag: working together is safe for both partners now"),
    )


class ReplyForm(FlaskForm):
    reply = TextAreaField(
        "Reply", validators=[InputRequired(), Length(max=2000)],
        description="The partner sees this under their submission.",
    )


class ReviewForm(FlaskForm):
    """Just the CSRF token for the “mark reviewed” button."""
