"""The message as it leaves: sealed values filled in, the practice named as sender, and headers
that stay the same on every attempt (so a repeat is recognisable as the same message).

Built with the standard library's compat32 MIME classes: the modern EmailMessage parses every
header it is given, which cost ~10 ms a message on a busy machine for nothing we use.
"""

from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

from flask import current_app
from markupsafe import escape

from ..practice.models import Practice
from ..sealing import SealBroken, unseal
from ..timeutil import utcnow
from .models import OutboundMessage
from .reasons import SEAL_BROKEN, reason
from .transport import DeliveryError

# Quoted-printable UTF-8: readable in an .eml file, safe for any mail server.
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP


def sender_address() -> str:
    return current_app.config["MAIL_FROM"] or "clinic@localhost"


def _header(text: str) -> str | Header:
    return text if text.isascii() else Header(text, "utf-8")


def build_email(message: OutboundMessage, practice: Practice,
                extra: dict[str, str] | None = None) -> Message:
    """`extra`: values made as it is sent (delivery.register_filler), before the sealed ones.
    Raises DeliveryError (permanent) when the sealed values cannot be opened."""
    body, html = message.body, message.html_body
    values = dict(extra or {})
    if message.sealed:
        try:
            values = {**unseal(message.sealed), **values}
        except SealBroken:
            raise DeliveryError(reason(SEAL_BROKEN), permanent=True) from None
    if values:
        body = fill(body, values)
        html = fill(html, {k: str(escape(v)) for k, v in values.items()}) if html else None
    email: Message = MIMEText(body, "plain", _UTF8)
    if html:
        alternative = MIMEMultipart("alternative")
        alternative.attach(email)
        alternative.attach(MIMEText(html, "html", _UTF8))
        email = alternative
    from_address = sender_address()
    created = int(message.created_at.timestamp())
    domain = from_address.rpartition("@")[2] or "localhost"
    email["Subject"] = _header(message.subject)
    email["From"] = formataddr((practice.name, from_address), charset="utf-8")
    email["To"] = formataddr((message.to_name, message.to_address), charset="utf-8")
    if practice.reply_to:
        email["Reply-To"] = practice.reply_to
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = f"<outbox.{message.id}.{created}@{domain}>"
    email["Auto-Submitted"] = "auto-generated"
    email["X-Clinic-Outbox"] = f"{message.id}-{created}"
    return email


def fill(template: str, values: dict[str, str]) -> str:
    """Put each value in place of its {{name}}; other text is left exactly as it is."""
    for name, value in values.items():
        template = template.replace("{{" + name + "}}", value)
    return template
