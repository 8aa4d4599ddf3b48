"""Forms of the mailed account links: asking for a reset, choosing a password."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from ..formkit import ClinicForm


class ResetRequestForm(ClinicForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])


class NewPasswordForm(ClinicForm):
    password = PasswordField(
        _l("New password"), validators=[InputRequired(), Length(max=128)],
        description=_l("At least 8 characters; a passphrase of a few words works well."),
    )
