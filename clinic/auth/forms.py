"""Sign-in, second-factor and account forms."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import HiddenInput

from ..formkit import ClinicForm, options
from ..i18n import LANGUAGES


class LoginForm(ClinicForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1024)])


class PasswordForm(ClinicForm):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(), Length(max=1024)]
    )
    password = PasswordField(
        _l("New password"), validators=[InputRequired(), Length(max=128)],
        description=_l("At least 8 characters; a passphrase of a few words works well."),
    )


class CodeForm(ClinicForm):
    """A code from the authenticator app, or a recovery code (told apart by their shape)."""

    code = StringField(
        _l("Code"), validators=[InputRequired(), Length(max=40)],
        description=_l("The 6-digit code your authenticator app shows now, or one of your "
                       "recovery codes."),
    )


class EnrolForm(ClinicForm):
    code = StringField(
        _l("Code from the app"), validators=[InputRequired(), Length(max=12)],
        description=_l("After adding the key, type the 6-digit code the app shows."),
    )


class LanguageForm(ClinicForm):
    locale = SelectField(
        _l("Language"), choices=options(LANGUAGES.items()),
        description=_l("The pages you see and the mail you get are in this language."),
    )


class KeptForm(ClinicForm):
    """Send a kept post again, or discard it (auth/kept.py): which post, and which button."""

    kept_post_id = IntegerField(validators=[InputRequired()], widget=HiddenInput())
    kept_post_decision = SelectField(choices=options([("send", "send"), ("discard", "discard")]))
