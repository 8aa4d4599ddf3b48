"""Sealing: the few values a queued message carries but must never store readable.

A portal link's token is the example: only its hash is kept anywhere, the outbox included. The
queued row holds `{{portal_link}}` in its body and the link itself encrypted (Fernet: AES-128-CBC
with HMAC-SHA256) under `MAIL_SEAL_KEY`, or a key derived from `SECRET_KEY` when that is unset.
The worker opens it while it builds the message, and erases it once the message is sent, failed
or cancelled. Changing the key makes still-queued sealed messages fail ("could not be opened");
the clinician sends a new link.
"""

import base64
import json

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


class SealBroken(Exception):
    """The sealed values cannot be opened with the current key."""


def _fernet() -> Fernet:
    key = current_app.config.get("MAIL_SEAL_KEY")
    if key:
        return Fernet(key)
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"clinic outbox sealing"
    ).derive(str(current_app.config["SECRET_KEY"]).encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(values: dict[str, str]) -> str:
    return _fernet().encrypt(json.dumps(values).encode("utf-8")).decode("ascii")


def unseal(sealed: str) -> dict[str, str]:
    try:
        return json.loads(_fernet().decrypt(sealed.encode("ascii")))
    except (InvalidToken, ValueError) as error:
        raise SealBroken() from error


def fill(template: str, values: dict[str, str]) -> str:
    """Put each value in place of its {{name}}; other text is left exactly as it is."""
    for name, value in values.items():
        template = template.replace("{{" + name + "}}", value)
    return template
