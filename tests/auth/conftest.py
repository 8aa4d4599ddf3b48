"""Fixtures of the auth tests: a clinician with a confirmed second factor."""

import time

import pyotp
import pytest

from clinic.auth import twofactor
from clinic.sealing import open_text


@pytest.fixture
def enrolled(make_user):
    """A clinician with a confirmed second factor; `.recovery` holds their ten codes.

    A code from the previous 30-second step confirms it, leaving the current one unused.
    """
    user = make_user()
    twofactor.begin_enrolment(user)
    previous = pyotp.TOTP(open_text("totp", user.totp_secret)).at(time.time() - 30)
    user.recovery = twofactor.confirm_enrolment(user, previous)
    return user
