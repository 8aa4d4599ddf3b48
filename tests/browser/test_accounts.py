"""An invited clinician in a real browser: the mailed link, a password of their own, the second
factor set up with a code computed here, then signing out and back in with a code, and again
with a recovery code. The invitation is delivered in-process to a local SMTP server."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from clinic.accounts import services as accounts
from clinic.practice.services import create_practice
from tests.account_links import account_link

pytestmark = pytest.mark.browser

NAME, EMAIL, PASSWORD = "Dr Zhou Min", "zhou.min@example.org", "lantern orchard 42"


@pytest.fixture
def invitation(make_user, settle_db, delivered):
    """An owner of a practice that requires a second factor invites Dr Zhou; the mail's link."""
    practice = create_practice("Harbour Lane Couples Practice", require_two_factor=True)
    owner = make_user(practice, role="owner")
    accounts.invite_member(owner, accounts.Invitation(EMAIL, NAME, "clinician"))
    [mail] = delivered(1)
    settle_db()
    return account_link(mail)[0]


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()


def password_step(page) -> None:
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Enter your code")).to_be_visible()


def test_an_invited_clinician_sets_up_two_factor_sign_in_and_uses_it(
    live_server, invitation, desktop_context, check_page
):
    page = desktop_context().new_page()

    # The invitation: a password of their own.
    page.goto(invitation)
    expect(page.get_by_role("heading", level=1, name="Welcome: choose your password")).to_be_visible()
    check_page(page, "accounts-invitation")
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_role("button", name="Save my password").click()

    # The practice requires a second factor: it is set up before anything else.
    expect(page.get_by_role("heading", level=1, name="Two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code of your key")).to_be_visible()
    check_page(page, "accounts-two-factor-setup")
    key = page.locator("#totp-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", level=1, name="Two-factor sign-in is on")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", c) for c in codes)
    check_page(page, "accounts-recovery-codes")
    page.get_by_role("link", name="I have saved them — continue").click()
    expect(page.get_by_role("heading", level=1, name="Caseload")).to_be_visible()

    # Out, and back in with the password and a code (the next one: each code works once).
    sign_out(page)
    password_step(page)
    check_page(page, "accounts-code")
    page.get_by_label("Code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Caseload")).to_be_visible()

    # Out, and back in with a recovery code: the phone is not at hand.
    sign_out(page)
    password_step(page)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Caseload")).to_be_visible()

    # That recovery code is spent.
    sign_out(page)
    password_step(page)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That code is not right.")).to_be_visible()
