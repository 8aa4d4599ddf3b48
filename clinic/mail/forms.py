"""The practice's mail setting (its reply-to address)."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import Email, Length, Optional

from ..formkit import ClinicForm


class ReplyToForm(ClinicForm):
    reply_to = EmailField(
        _l("Replies go to"), validators=[Optional(), Email(), Length(max=254)],
        description=_l("Partners who answer the practice's mail reach this address. Leave it "
                       "empty if nobody should receive replies."),
    )
