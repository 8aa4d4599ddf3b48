"""Where mail goes: the SMTP server named by MAIL_URL, or .eml files in development.

`smtps://user:pass@host:465` speaks TLS from the first byte; `smtp://user:pass@host:587` must
upgrade with STARTTLS before it signs in (a server that does not offer it is refused: a password
never crosses the network in the clear); `smtp://host:25` without a user name is plain SMTP, for
a relay on the same machine or network. Certificates are verified against the system's CAs (or
MAIL_TLS_CA_FILE).
"""

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .reasons import (
    BAD_MAIL_URL,
    CONNECTION_BROKE,
    NO_STARTTLS,
    SIGN_IN_REFUSED,
    UNREACHABLE,
    reason,
)

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The message was not accepted. `permanent`: retrying cannot help (the server said 5xx).
    `connection_lost`: the connection cannot carry further messages."""

    def __init__(self, reason: str, *, permanent: bool = False, connection_lost: bool = False):
        super().__init__(reason)
        self.reason = reason[:500]
        self.permanent = permanent
        self.connection_lost = connection_lost


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "tls", "starttls" or "plain"
    username: str | None = None
    password: str | None = None


def parse_mail_url(url: str) -> SmtpSettings:
    """Read CLINIC_MAIL_URL; raises ValueError saying what is wrong with it."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(reason(BAD_MAIL_URL))
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    if parts.scheme == "smtps":
        return SmtpSettings(parts.hostname, parts.port or 465, "tls", username, password)
    security = "starttls" if username else "plain"
    return SmtpSettings(parts.hostname, parts.port or (587 if username else 25), security,
                        username, password)


class SmtpTransport:
    """One SMTP connection, used for a batch of messages: `with transport as send: send(msg)`."""

    def __init__(self, settings: SmtpSettings, *, timeout: float, ca_file: str | None = None):
        self.settings = settings
        self.timeout = timeout
        self.ca_file = ca_file
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self):
        s = self.settings
        # Loading the CA store costs ~0.1 s: only when TLS is spoken at all.
        context = ssl.create_default_context(cafile=self.ca_file) if s.security != "plain" else None
        try:
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
            self._smtp = smtp
            smtp.ehlo()
            if s.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(reason(NO_STARTTLS), connection_lost=True)
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password or "")
        except DeliveryError:
            self._close()
            raise
        except smtplib.SMTPAuthenticationError as error:
            self._close()
            raise DeliveryError(reason(SIGN_IN_REFUSED, error.smtp_code),
                                connection_lost=True) from None
        except (OSError, smtplib.SMTPException) as error:
            self._close()
            raise DeliveryError(reason(UNREACHABLE, _describe(error)),
                                connection_lost=True) from None
        return self.send

    def send(self, message: Message) -> None:
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise DeliveryError(_replies(error.recipients.values()),
                                permanent=all(c >= 500 for c in codes)) from None
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
            raise DeliveryError(_reply(error.smtp_code, error.smtp_error),
                                permanent=error.smtp_code >= 500) from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(_reply(error.smtp_code, error.smtp_error)) from None
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(reason(CONNECTION_BROKE, _describe(error)),
                                connection_lost=True) from None
        if refused:  # one recipient per message: a partial refusal is a refusal
            raise DeliveryError(_replies(refused.values()))

    def __exit__(self, *exc) -> None:
        self._close()

    def _close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (OSError, smtplib.SMTPException):
            self._smtp.close()
        self._smtp = None


class FileTransport:
    """Development: each message becomes an .eml file; only its subject is logged."""

    def __init__(self, directory: Path):
        self.directory = directory

    def __enter__(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        return self.send

    def send(self, message: Message) -> None:
        name = message["X-Clinic-Outbox"] or "message"
        path = self.directory / f"{name}.eml"
        path.write_bytes(message.as_bytes())
        log.info("mail %s written to %s: %s", name, path, message["Subject"])

    def __exit__(self, *exc) -> None:
        return None


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _replies(replies) -> str:
    return "; ".join(_reply(code, text) for code, text in replies)


def _describe(error: Exception) -> str:
    return str(error) or type(error).__name__
