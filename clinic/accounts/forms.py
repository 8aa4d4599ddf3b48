"""Forms of the mailed account links: asking for a reset, choosing a password."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[InputRequired(), Length(max=128)],
        description=_l("At least 8 characters; a passphrase of a few words works well."),
    )
