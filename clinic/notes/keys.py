"""The keyed seal of signed notes: HMAC-SHA-256 under a key from configuration, never from the
database, so someone who can write to the database can neither forge a note nor hide a removed
addendum.

`NOTE_SEAL_KEYS` maps key ids to secrets and `NOTE_SEAL_KEY_ID` names the one new seals use;
the others stay listed so notes sealed under them still verify (rotation). Unset, one key is
derived from SECRET_KEY with HKDF under the id "derived".
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

DERIVED = "derived"
MIN_SECRET = 32


class UnknownKey(Exception):
    """A seal names a key id this installation no longer (or never) had."""


def _keys() -> dict[str, bytes]:
    configured = current_app.config.get("NOTE_SEAL_KEYS")
    if configured:
        keys = {str(k): str(v).encode("utf-8") for k, v in dict(configured).items()}
        short = [k for k, v in keys.items() if len(v) < MIN_SECRET]
        if short:
            raise RuntimeError(f"NOTE_SEAL_KEYS: key {short[0]!r} is shorter than {MIN_SECRET} characters")
        return keys
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"clinic note seal").derive(
        str(current_app.config["SECRET_KEY"]).encode("utf-8")
    )
    return {DERIVED: derived}


def current_id() -> str:
    """The key id new seals are made with."""
    keys = _keys()
    chosen = current_app.config.get("NOTE_SEAL_KEY_ID")
    if chosen:
        if str(chosen) not in keys:
            raise RuntimeError(f"NOTE_SEAL_KEY_ID {chosen!r} is not among NOTE_SEAL_KEYS")
        return str(chosen)
    if len(keys) != 1:
        raise RuntimeError("NOTE_SEAL_KEY_ID must name one of several NOTE_SEAL_KEYS")
    return next(iter(keys))


def mac(key_id: str, *parts: object) -> str:
    """HMAC-SHA-256 (hex) of the parts, joined unambiguously, under the key `key_id`."""
    keys = _keys()
    if key_id not in keys:
        raise UnknownKey(key_id)
    message = "\x1f".join(f"{len(str(p))}:{p}" for p in parts).encode("utf-8")
    return hmac.new(keys[key_id], message, hashlib.sha256).hexdigest()


def note_seal(key_id: str, content_hash: str) -> str:
    """Seals the note's content hash: editing the note and recomputing its SHA-256 shows."""
    return mac(key_id, "clinic-note-seal-v1", content_hash)


def addenda_seal(key_id: str, content_hash: str, count: int, last_hash: str | None) -> str:
    """Seals how many addenda the note has and the newest one's hash (the head of their chain):
    removing the newest addendum, or any, shows."""
    return mac(key_id, "clinic-addenda-seal-v1", content_hash, int(count), last_hash or "")


def matches(expected: str | None, key_id: str | None, compute) -> bool:
    """Constant-time check of a stored seal against one recomputed under its key."""
    if not expected or not key_id:
        return False
    try:
        return hmac.compare_digest(expected, compute(key_id))
    except UnknownKey:
        return False
