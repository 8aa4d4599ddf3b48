"""Forms of the mailed account links: asking for a reset, choosing a password."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ..formkit import ClinicForm


class ResetRequestForm(ClinicForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])


class NewPasswordForm(ClinicForm):
    password = PasswordField(
        _l("New password"), validators=[InputRequired(), Length(max=128)],
        description=_l("At least 8 characters; a passphrase of a few words works well."),
    )
    # Shown (and required by the service) when the account has a second factor: nothing changes
    # until it checks.
    code = StringField(
        _l("Code"), validators=[Optional(), Length(max=40)],
        description=_l("The 6-digit code your authenticator app shows now, or one of your "
                       "recovery codes."),
    )
