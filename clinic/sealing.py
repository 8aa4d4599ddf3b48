"""Sealing: values the database must hold but never readable, encrypted with Fernet (AES-128-CBC
with HMAC-SHA256).

Two purposes, each with its own key so one can be rotated without the other:
- "mail": what a queued message carries until the worker sends it (a portal or account link);
  `MAIL_SEAL_KEY`. Changing it makes still-queued sealed messages fail ("could not be opened").
- "totp": each staff member's second-factor key, needed in clear to check a code; `TOTP_SEAL_KEY`.
  Losing it turns every second factor off in effect (the owner resets them), so production sets
  it explicitly and rotates by listing the new key first and the old one after it (comma
  separated): values sealed under any listed key open; new ones are sealed under the first.
Unset, a key is derived from `SECRET_KEY` with a label of its own.
"""

import base64
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_PURPOSES = {
    "mail": ("MAIL_SEAL_KEY", b"clinic outbox sealing"),
    "totp": ("TOTP_SEAL_KEY", b"clinic totp sealing"),
}


class SealBroken(Exception):
    """The sealed value cannot be opened with the current keys."""


def _fernet(purpose: str) -> MultiFernet:
    setting, label = _PURPOSES[purpose]
    configured = current_app.config.get(setting)
    if configured:
        keys = [k.strip() for k in str(configured).split(",") if k.strip()]
        return MultiFernet([Fernet(k) for k in keys])
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(
        str(current_app.config["SECRET_KEY"]).encode("utf-8")
    )
    return MultiFernet([Fernet(base64.urlsafe_b64encode(derived))])


def seal_text(purpose: str, text: str) -> str:
    return _fernet(purpose).encrypt(text.encode("utf-8")).decode("ascii")


def open_text(purpose: str, sealed: str) -> str:
    """Raises SealBroken when no configured key opens it (or it was never sealed)."""
    try:
        return _fernet(purpose).decrypt(sealed.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as error:
        raise SealBroken() from error


def seal(values: dict[str, str]) -> str:
    """The values a queued message fills in at sending, sealed together."""
    return seal_text("mail", json.dumps(values))


def unseal(sealed: str) -> dict[str, str]:
    try:
        return json.loads(open_text("mail", sealed))
    except ValueError as error:
        raise SealBroken() from error
