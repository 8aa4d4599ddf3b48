"""Report parameters and supervision pairs."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField
from wtforms.validators import InputRequired, Optional

from ..formkit import ClinicForm
from ..timeutil import utcnow


def _eight_weeks_ago():
    return utcnow().date() - timedelta(weeks=8)


def _today():
    return utcnow().date()


class ReportForm(ClinicForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    since = DateField(_l("From"), validators=[InputRequired()], default=_eight_weeks_ago)
    until = DateField(_l("Until"), validators=[InputRequired()], default=_today)
    clinician_id = SelectField(_l("Clinician"), coerce=int, validators=[Optional()], validate_choice=False)
    identified = BooleanField(
        _l("Include names (identified version)"),
        description=_l("Owners only. De-identified reports use a stable pseudonym per couple."),
    )


class SupervisionForm(ClinicForm):
    supervisor_id = SelectField(_l("Supervisor"), coerce=int, validate_choice=False)
    clinician_id = SelectField(_l("Reads the reports of"), coerce=int, validate_choice=False)
