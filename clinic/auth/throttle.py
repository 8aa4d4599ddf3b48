"""Sign-in throttling that slows a guesser without locking the real person out.

Only refused attempts count (a password that was checked and did not match); a sign-in that
works, or an attempt refused by a limit, costs nothing. Four limits, all in the rate-limit
storage (memory or Redis) through Flask-Limiter:

- per address, any account: one machine guessing many accounts;
- per (account, address): one machine guessing one account. A stranger elsewhere cannot use it
  to lock the real person out;
- per account, from browsers that never signed in to it: many machines guessing one account.
  This one a stranger can fill, so it is a short window (a bounded delay, never a lock-out) and
  browsers that signed in to that account before are exempt;
- per trusted browser: a trusted-device cookie is not a free pass to guess.

The trusted-device cookie is signed with the app's secret key and names the accounts that signed
in successfully on this browser by a keyed hash of their email (no id, no email in the cookie).
"""

import hashlib
import hmac
import secrets

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..extensions import limiter

DEVICE_COOKIE = "clinic_device"
_MAX_ACCOUNTS = 5  # a shared front-desk computer: a few people may be trusted on it


def posted_email() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="clinic.trusted-device")


def _keyed_hash(label: bytes, email: str) -> str:
    key = current_app.secret_key.encode("utf-8")
    return hmac.new(key, label + email.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _account_tag(email: str) -> str:
    return _keyed_hash(b"device:", email)


def account_id(email: str) -> str:
    """What the limits call an account: a keyed hash of its email, so neither the rate-limit
    storage nor the log line of a limit that was hit holds a staff member's address."""
    return _keyed_hash(b"limit:", email)


def _device_entries() -> list[list[str]]:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    max_age = current_app.config["TRUSTED_DEVICE_DAYS"] * 86400
    try:
        entries = _serializer().loads(raw, max_age=max_age)
    except BadSignature:
        return []
    if not isinstance(entries, list):
        return []
    return [e for e in entries if isinstance(e, list) and len(e) == 2][:_MAX_ACCOUNTS]


def trusted_device(email: str | None = None) -> str | None:
    """This browser's device id for the account in the form (or `email`), if it signed in before."""
    email = posted_email() if email is None else email
    if not email:
        return None
    cache = g.setdefault("trusted_devices", {})
    if email not in cache:
        tag = _account_tag(email)
        cache[email] = next((nonce for t, nonce in _device_entries() if hmac.compare_digest(t, tag)), None)
    return cache[email]


def remember_device(response, email: str):
    """After a complete sign-in: trust this browser for this account (the newest few kept)."""
    tag = _account_tag(email.strip().lower())
    entries = [[tag, secrets.token_hex(8)]]
    entries += [e for e in _device_entries() if e[0] != tag]
    config = current_app.config
    response.set_cookie(
        DEVICE_COOKIE, _serializer().dumps(entries[:_MAX_ACCOUNTS]),
        max_age=config["TRUSTED_DEVICE_DAYS"] * 86400, path="/auth",
        secure=config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax",
    )
    return response


# ---- Flask-Limiter parts: limits, keys, exemptions ----------------------------------------------


def per_address() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def per_account_address() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT_ADDRESS"]


def per_account() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def per_device() -> str:
    return current_app.config["LOGIN_LIMIT_PER_DEVICE"]


def account_key() -> str:
    return "login:" + account_id(posted_email())


def account_address_key() -> str:
    return f"login:{account_id(posted_email())}|{get_remote_address()}"


def device_key() -> str:
    return "device:" + (trusted_device() or "")


def is_trusted() -> bool:
    return trusted_device() is not None


def is_untrusted() -> bool:
    return trusted_device() is None


def refused(response) -> bool:
    """Count an attempt only when it was checked and refused (the form is shown again)."""
    return response.status_code == 200


def per_account_code() -> str:
    return current_app.config["CODE_LIMIT_PER_ACCOUNT"]


def mark_code_refused() -> None:
    """The code view saw a wrong code (also the last one, which ends the challenge)."""
    g.code_refused = True


def code_refused(_response) -> bool:
    return bool(g.get("code_refused"))


def sign_in_limits(view):
    """The four sign-in limits above, on the POSTs of a sign-in step."""
    common = {"methods": ["POST"], "deduct_when": refused}
    view = limiter.limit(per_device, key_func=device_key, exempt_when=is_untrusted, **common)(view)
    view = limiter.limit(per_account, key_func=account_key, exempt_when=is_trusted, **common)(view)
    view = limiter.limit(
        per_account_address, key_func=account_address_key, exempt_when=is_trusted, **common
    )(view)
    return limiter.limit(per_address, exempt_when=is_trusted, **common)(view)
