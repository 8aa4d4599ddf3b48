"""Forms for the safety flag, releasing a held share, and the practice's safety settings."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..formkit import ClinicForm, options
from .models import REASON_MAX


class FlagForm(ClinicForm):
    partner = SelectField(_l("Concerning"), choices=[], default="")
    reason = TextAreaField(
        _l("Why"),
        validators=[InputRequired(_l("Say why, in a few words: the next clinician to read this will "
                                     "need it.")), Length(max=REASON_MAX)],
        description=_l("What you heard or saw, in a few words. Clinicians only: neither partner "
                       "ever sees the flag."),
    )


class ClearFlagForm(ClinicForm):
    clear_reason = TextAreaField(
        _l("Why it can be cleared"),
        validators=[InputRequired(_l("Say why the flag can be cleared.")), Length(max=REASON_MAX)],
    )


class ReleaseForm(ClinicForm):
    """Just the CSRF token for a “let it through” button."""


POLICY_LABELS = {
    "confirm": _l("Joint exercises need the clinician's confirmation; what one partner shares "
                  "waits for the clinician to let it through"),
    "off": _l("No joint exercises, and nothing one partner shares reaches the other"),
}


class SafetySettingsForm(ClinicForm):
    policy = RadioField(_l("While a couple has a safety flag"), choices=options(POLICY_LABELS.items()),
                        default="confirm")
    offer_at_first_visit = BooleanField(_l("Offer the private safety check-in to each partner on "
                                           "their first visit to their space"))


class CheckinSettingsForm(ClinicForm):
    questions = TextAreaField(
        _l("The check-in's questions"), validators=[Length(max=12000)],
        description=_l("One question a line: yesno or text, the question in English, the question in "
                       "Chinese, separated by |. Leave it empty to use the questions the app ships with."),
    )
    contacts = TextAreaField(
        _l("Support contacts"), validators=[Length(max=4000)],
        description=_l("One a line: name | number | when it answers (optional). Shown with the check-in "
                       "and at the foot of every partner's space."),
    )
