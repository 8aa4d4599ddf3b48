"""Forms for couples: the couple with its two partners, stage moves, status changes, search."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from ..catalogue_texts import stage_choices
from ..formkit import ClinicForm, options
from ..i18n import LANGUAGES
from .models import STATUS_LABELS


def _stage_options() -> list:
    """The stages in the language of whoever the form is shown to."""
    return options(stage_choices())


STATUS_CHOICES = list(STATUS_LABELS.items())


class PartnerForm(Form):
    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120)])
    preferred_name = StringField(
        _l("Preferred name"), validators=[Optional(), Length(max=80)],
        description=_l("What they like to be called; used in the portal."),
    )
    pronouns = StringField(_l("Pronouns"), validators=[Optional(), Length(max=40)])
    email = EmailField(
        _l("Email"), validators=[Optional(), Email(), Length(max=254)],
        description=_l("Optional. Only used to send their own portal link."),
    )
    locale = SelectField(
        # Left out of a post: the practice's language for a new partner, unchanged on an edit.
        _l("Language"), choices=options(LANGUAGES.items()), validators=[Optional()],
        description=_l("Their portal and their mail are in this language. They can switch it in "
                       "their portal."),
    )


class CoupleForm(ClinicForm):
    case_label = StringField(
        _l("Case label"), validators=[InputRequired(), Length(max=120)],
        description=_l("How the couple appears on your caseload, e.g. “Chen & Wang”."),
    )
    current_stage = SelectField(_l("Starting stage"), coerce=int, choices=_stage_options, default=1)
    primary_clinician_id = SelectField(_l("Primary clinician"), coerce=int, validate_choice=False)
    partner_a = FormField(PartnerForm, label=_l("Partner A"))
    partner_b = FormField(PartnerForm, label=_l("Partner B"))


class CoupleEditForm(CoupleForm):
    """Editing leaves the stage alone: stage moves have their own form and history."""

    current_stage = None


class StageForm(ClinicForm):
    stage = SelectField(_l("Move to stage"), coerce=int, choices=_stage_options)


class StatusForm(ClinicForm):
    status = SelectField(_l("Status"), choices=options(STATUS_CHOICES))


class SearchForm(ClinicForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    stage = IntegerField(_l("Stage"), validators=[Optional(), NumberRange(1, 6)])
    status = SelectField(
        _l("Status"), choices=options([("", _l("Any status")), *STATUS_CHOICES]), validators=[Optional()]
    )


class LinkForm(ClinicForm):
    valid_days = IntegerField(
        _l("Works for (days)"), validators=[Optional(), NumberRange(0, 365)], default=90,
        description=_l("0 means until you revoke or replace it."),
    )
    send_email = BooleanField(_l("Also email it"), default=False)


class EmailLinkForm(ClinicForm):
    """"Email it": the link just shown comes back, since only its hash is on file."""

    token = HiddenField(validators=[InputRequired(), Length(max=100)])
