"""The message that carries a partner's personal link: who sends it, what it is for, the link.

Nothing clinical goes in it (no stage, no exercise, no note): a mailbox may be shared or read
over a shoulder. The link itself is not in the stored text either: the body holds
`{{portal_link}}` and the link travels sealed (see clinic/sealing.py).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from ..couples.models import Partner
from ..domain import MessageKind
from ..mail.models import OutboundMessage
from ..mail.services import queue_message

PLACEHOLDER = "{{portal_link}}"


def compose(*, name: str, practice: str, therapist: str, expires_at: datetime | None,
            locale: str, zone: str) -> tuple[str, str]:
    """Subject and plain-text body, in the partner's language; the expiry is the day in the
    practice's zone (`zone`), whoever composes it (a request, the CLI, the worker)."""
    with force_locale(locale):
        subject = _("Your personal link from %(practice)s", practice=practice)
        if expires_at is not None:
            day = expires_at.astimezone(ZoneInfo(zone)).date()
            validity = _("The link works until %(date)s.", date=format_date(day, "long"))
        else:
            validity = _("The link works until %(therapist)s replaces or withdraws it.",
                         therapist=therapist)
        paragraphs = [
            _("Hello %(name)s,", name=name),
            _("%(therapist)s at %(practice)s has made you a personal link to your own space in "
              "the practice's client portal. There you can see what %(therapist)s suggested for "
              "you between sessions, write your own entries and send them to %(therapist)s.",
              therapist=therapist, practice=practice),
            _("Open your space:") + "\n" + PLACEHOLDER,
            _("This link is yours alone. Please do not forward it or share it with anyone, your "
              "partner included: it opens your own space, and your partner has a link of their "
              "own.") + " " + validity,
            _("If you did not expect this message, you can ignore it."),
            practice,
        ]
    return subject, "\n\n".join(paragraphs) + "\n"


def queue_link_mail(partner: Partner, *, url: str, practice: str, therapist: str,
                    expires_at: datetime | None, user_id: int) -> OutboundMessage:
    """Put the link's message in the outbox (the caller's transaction; the caller commits)."""
    locale = partner.locale
    subject, body = compose(name=partner.display_name, practice=practice, therapist=therapist,
                            expires_at=expires_at, locale=locale,
                            zone=partner.couple.practice.timezone)
    return queue_message(
        practice_id=partner.couple.practice_id, kind=MessageKind.PORTAL_LINK,
        to_address=partner.email, to_name=partner.display_name, subject=subject, body=body,
        couple_id=partner.couple_id, partner_id=partner.id, user_id=user_id, locale=locale,
        sealed={"portal_link": url},
    )
