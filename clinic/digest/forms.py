"""The daily digest switch."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from ..formkit import ClinicForm


class DigestForm(ClinicForm):
    daily_digest = BooleanField(
        _l("Email me a daily digest of what came in"),
        description=_l("Once a day, in the practice's opening hours: how many new items each "
                       "couple sent. Never what they wrote."),
    )
