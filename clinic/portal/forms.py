"""Portal forms. Exercise answers are read by the catalogue's parser, not by WTForms."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField
from wtforms.validators import AnyOf, Length, Optional

from ..formkit import ClinicForm, options
from ..i18n import LANGUAGES

SHARE_CHOICES = options(
    [
        ("private", _l("Only my therapist")),
        ("shared", _l("My therapist and my partner")),
    ]
)


class ContinueForm(ClinicForm):
    token = HiddenField()


class PrivacyForm(ClinicForm):
    """The privacy choice and the idempotency key that ride along with every portal entry."""

    sharing = RadioField(_l("Who can read this?"), choices=SHARE_CHOICES, default="private")
    # The column holds 64 characters: a longer (tampered) key is refused, not a database error.
    idempotency_key = HiddenField(validators=[Optional(), Length(max=64)])

    @property
    def shared(self) -> bool:
        return self.sharing.data == "shared"


class SimpleForm(ClinicForm):
    """Only the CSRF token: for buttons that change one thing."""


class LanguageForm(ClinicForm):
    """The language control on every portal page: the button pressed names the language;
    `next` is the page it was pressed on (a path inside the portal, checked by the view)."""

    locale = HiddenField(validators=[AnyOf(tuple(LANGUAGES))])
    next = HiddenField(validators=[Optional(), Length(max=300)])


class PauseForm(ClinicForm):
    """A partner pauses (1) or resumes (0) reminder mail."""

    paused = HiddenField(validators=[AnyOf(("0", "1"))])
