"""Forms for managing the practice's team and its settings."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from ..auth.models import ROLE_LABELS
from ..domain import Role
from ..formkit import ClinicForm, options
from ..i18n import LANGUAGES


class MemberForm(ClinicForm):
    role = SelectField(_l("Role"), choices=options(ROLE_LABELS.items()))
    credentials = StringField(
        _l("Credentials"), validators=[Optional(), Length(max=120)],
        description=_l("Printed beside their name on the notes they sign, e.g. “MA, licensed "
                       "marriage and family therapist”."),
    )
    active = BooleanField(
        _l("Account active"),
        description=_l("Turning this off signs the person out everywhere at once."),
    )


class SimpleForm(ClinicForm):
    """Only the CSRF token: for buttons that change one thing."""


class InviteForm(ClinicForm):
    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    role = SelectField(
        _l("Role"),
        choices=options(ROLE_LABELS.items()),
        default=Role.CLINICIAN.value,
        description=_l("Owners manage the team and read the audit log; supervisors see reports "
                       "only."),
    )


WEEKDAYS = [
    ("1", _l("Monday")), ("2", _l("Tuesday")), ("3", _l("Wednesday")), ("4", _l("Thursday")),
    ("5", _l("Friday")), ("6", _l("Saturday")), ("7", _l("Sunday")),
]


class SettingsForm(ClinicForm):
    locale = SelectField(
        _l("Practice language"), choices=options(LANGUAGES.items()),
        description=_l("New partners and new team members start in this language. Each person "
                       "can then have their own."),
    )
    timezone = StringField(
        _l("Time zone"), validators=[InputRequired(), Length(max=64)], render_kw={"list": "zones"},
        description=_l("Dates are shown in this zone, and reminders are sent by its clock "
                       "(an IANA name such as Asia/Shanghai or Europe/Berlin)."),
    )
    address = TextAreaField(
        _l("Practice address"), validators=[Optional(), Length(max=300)], render_kw={"rows": 3},
        description=_l("Printed in the header of every session note PDF."),
    )
    opens_at = TimeField(_l("Opens at"), validators=[InputRequired()])
    closes_at = TimeField(
        _l("Closes at"), validators=[InputRequired()],
        description=_l("Reminders and digests are only sent while the practice is open."),
    )
    open_days = SelectMultipleField(_l("Open on"), choices=options(WEEKDAYS))
    remind_days_before = IntegerField(
        _l("Remind this many days before the due date"),
        validators=[Optional(), NumberRange(min=1, max=14)],
        description=_l("Leave empty for no reminder before the due date."),
    )
    remind_on_due_day = BooleanField(_l("Remind on the due date"))
    remind_overdue_days = IntegerField(
        _l("Remind once, this many days after the due date"),
        validators=[Optional(), NumberRange(min=1, max=14)],
        description=_l("Leave empty for no reminder about overdue work."),
    )
    require_two_factor = BooleanField(
        _l("Require two-factor sign-in for everyone"),
        description=_l("Each member signs in with their password and a code from an "
                       "authenticator app. Members without one set it up at their next page."),
    )
