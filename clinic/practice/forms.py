"""Forms for managing the practice's team."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length

from ..auth.models import ROLES
from ..formkit import options


class MemberForm(FlaskForm):
    role = SelectField("Role", choices=options((r, r.capitalize()) for r in ROLES))
    active = BooleanField(
        "Account active",
        description="Turning this off signs the person out everywhere at once.",
    )


class UserForm(FlaskForm):
    name = StringField("Full name", validators=[InputRequired(), Length(max=120)])
    email = EmailField("Email", validators=[InputRequired(), Email(), Length(max=254)])
    role = SelectField(
        "Role",
        choices=options((r, r.capitalize()) for r in ROLES),
        default="clinician",
        description="Owners manage the team and read the audit log; supervisors see reports only.",
    )
    password = PasswordField(
        "First password",
        validators=[InputRequired(), Length(max=128)],
        description="At least 8 characters. Share it with them privately; they can change it.",
    )
