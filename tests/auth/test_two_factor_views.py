"""Two-factor sign-in as a person meets it: password then code, recovery codes, setting it up
when the practice requires it, a password somebody else chose, and the owner's reset."""

import html
import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.auth import twofactor
from clinic.auth.models import User
from clinic.auth.throttle import DEVICE_COOKIE
from clinic.extensions import db
from clinic.sealing import open_text

PASSWORD = "correct horse battery"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def code_for(user, offset: int = 0) -> str:
    secret = open_text("totp", db.session.get(User, user.id).totp_secret)
    return pyotp.TOTP(secret).at(time.time() + offset)


def other_than(code: str) -> str:
    return "000000" if code != "000000" else "111111"




def password_step(browser, user, password=PASSWORD):
    return browser.post("/auth/login", data={"email": user.email, "password": password})


def test_an_enrolled_user_signs_in_with_password_then_code(app, enrolled):
    browser = app.test_client()

    first = password_step(browser, enrolled)

    assert first.status_code == 302 and first.location == "/auth/code"
    # Half signed in is not signed in: no page opens, and no device is trusted yet.
    assert browser.get("/couples/").location.startswith("/auth/login")
    assert browser.get_cookie(DEVICE_COOKIE, path="/auth") is None
    assert "Enter your code" in page(browser.get("/auth/code"))

    second = browser.post("/auth/code", data={"code": code_for(enrolled)})

    assert second.status_code == 302 and second.location == "/"
    assert browser.get("/couples/").status_code == 200
    assert browser.get_cookie(DEVICE_COOKIE, path="/auth") is not None


def test_a_code_works_once(app, enrolled):
    code = code_for(enrolled)
    first = app.test_client()
    password_step(first, enrolled)
    assert first.post("/auth/code", data={"code": code}).status_code == 302

    again = app.test_client()
    password_step(again, enrolled)
    response = again.post("/auth/code", data={"code": code})

    assert response.status_code == 200
    assert "That code is not right." in page(response)
    assert again.get("/couples/").location.startswith("/auth/login")


def test_a_recovery_code_signs_in_once(app, enrolled):
    recovery = enrolled.recovery[0]
    browser = app.test_client()
    password_step(browser, enrolled)

    assert browser.post("/auth/code", data={"code": recovery}).status_code == 302
    browser.post("/auth/logout")
    password_step(browser, enrolled)
    assert browser.post("/auth/code", data={"code": recovery}).status_code == 200
    [login] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "auth.login"))
    assert login.detail == {"second_factor": "recovery_code"}


def test_too_many_wrong_codes_send_the_person_back_to_the_password(app, enrolled):
    browser = app.test_client()
    password_step(browser, enrolled)
    wrong = other_than(code_for(enrolled))
    for _ in range(4):
        assert browser.post("/auth/code", data={"code": wrong}).status_code == 200

    last = browser.post("/auth/code", data={"code": wrong})

    assert last.location == "/auth/login"
    assert "Too many wrong codes" in page(browser.get("/auth/login"))
    assert browser.post("/auth/code", data={"code": code_for(enrolled)}).location == "/auth/login"


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                    CODE_LIMIT_PER_ACCOUNT="3 per 15 minutes")
def test_someone_with_the_password_cannot_guess_codes_from_many_addresses(app, enrolled):
    """Each challenge allows a few codes and each address a few more: the account's own limit
    stops a guesser who starts challenge after challenge from address after address, while the
    real person's own browser still signs in."""
    laptop = app.test_client()
    password_step(laptop, enrolled)
    laptop.post("/auth/code", data={"code": code_for(enrolled)})
    laptop.post("/auth/logout")
    wrong = other_than(code_for(enrolled, 30))

    def guess(i: int) -> int:
        stranger = app.test_client()
        where = {"REMOTE_ADDR": f"203.0.113.{i + 1}"}
        assert stranger.post("/auth/login", data={"email": enrolled.email, "password": PASSWORD},
                             environ_base=where).location == "/auth/code"
        return stranger.post("/auth/code", data={"code": wrong}, environ_base=where).status_code

    assert [guess(i) for i in range(5)] == [200, 200, 200, 429, 429]

    password_step(laptop, enrolled)
    assert laptop.post("/auth/code", data={"code": code_for(enrolled, 30)}).location == "/"


def test_changing_the_password_ends_a_sign_in_waiting_for_its_code(app, enrolled):
    """Someone who had the old password (and may phish a code) cannot finish after the real
    person changed it."""
    laptop = app.test_client()
    password_step(laptop, enrolled)
    laptop.post("/auth/code", data={"code": code_for(enrolled)})
    stranger = app.test_client()
    password_step(stranger, enrolled)
    changed = laptop.post("/auth/password", data={
        "current_password": PASSWORD, "password": "a new phrase nobody knows"})
    assert changed.location == "/"

    response = stranger.post("/auth/code", data={"code": code_for(enrolled, 30)})

    assert response.location == "/auth/login"
    assert stranger.get("/couples/").location.startswith("/auth/login")


def test_the_code_page_without_a_password_step_sends_to_sign_in(client):
    assert client.get("/auth/code").location == "/auth/login"
    assert client.post("/auth/code", data={"code": "123456"}).location == "/auth/login"


def test_a_copied_half_signed_in_cookie_is_no_use_after_the_sign_in_finished(app, enrolled):
    browser = app.test_client()
    password_step(browser, enrolled)
    copy = app.test_client()
    copy.set_cookie("clinic_session", browser.get_cookie("clinic_session").value)
    browser.post("/auth/code", data={"code": code_for(enrolled)})

    response = copy.post("/auth/code", data={"code": code_for(enrolled, 30)})

    assert response.location == "/auth/login"
    assert copy.get("/couples/").location.startswith("/auth/login")


# --- setting it up -----------------------------------------------------------------------------


def test_setting_up_shows_a_qr_code_and_the_key_and_needs_a_code(app, client, login, make_user):
    user = make_user()
    login(user)

    response = client.get("/auth/two-factor")

    body = page(response)
    assert "<svg" in body and "QR code of your key" in body
    key = re.search(r'id="totp-key">([A-Z2-7 ]+)<', body).group(1).replace(" ", "")
    stored = db.session.get(User, user.id).totp_secret
    assert key not in stored  # sealed at rest ...
    assert key == open_text("totp", stored)  # ... and opened only with the key
    refused = client.post("/auth/two-factor", data={"code": other_than(pyotp.TOTP(key).now())})
    assert "That code is not right." in page(refused)
    assert not db.session.get(User, user.id).has_two_factor

    done = client.post("/auth/two-factor", data={"code": pyotp.TOTP(key).now()})

    codes = re.findall(r"<li><code>([a-z2-9-]{19})</code></li>", page(done))
    assert len(codes) == 10
    assert "They are shown only now." in page(done)
    assert db.session.get(User, user.id).has_two_factor
    # The codes are not shown again.
    assert not any(c in page(client.get("/auth/two-factor")) for c in codes)
    assert "10 recovery codes left." in page(client.get("/auth/two-factor"))


def test_a_practice_that_requires_it_sends_members_to_set_it_up_first(app, client, login,
                                                                     make_user, make_practice):
    from clinic.practice.services import create_practice

    practice = create_practice("Required Practice", require_two_factor=True)
    user = make_user(practice)
    login(user)

    for path in ("/couples/", "/practice/", "/auth/password"):
        assert client.get(path).location == "/auth/two-factor", path
    assert "Your practice asks everyone to sign in with a second factor" in page(
        client.get("/auth/two-factor"))
    client.post("/auth/two-factor", data={"code": code_for(user)})

    assert client.get("/couples/").status_code == 200
    # From now on the password alone does not sign in.
    client.post("/auth/logout")
    assert password_step(client, user).location == "/auth/code"


def test_new_recovery_codes_need_a_code_and_replace_the_old_ones(app, client, enrolled):
    password_step(client, enrolled)
    client.post("/auth/code", data={"code": code_for(enrolled)})

    wrong = {"code": other_than(code_for(enrolled, 30))}
    refused = client.post("/auth/two-factor/recovery-codes", data=wrong)
    assert "That code is not right." in page(refused)
    done = client.post("/auth/two-factor/recovery-codes", data={"code": enrolled.recovery[5]})

    fresh = re.findall(r"<li><code>([a-z2-9-]{19})</code></li>", page(done))
    assert len(fresh) == 10 and not set(fresh) & set(enrolled.recovery)
    assert twofactor.verify_second_factor(db.session.get(User, enrolled.id), enrolled.recovery[0]) is None


# --- passwords somebody else chose ---------------------------------------------------------------


def test_a_password_set_by_the_cli_is_replaced_at_first_sign_in(app, client, runner, make_practice):
    practice = make_practice()
    result = runner.invoke(args=[
        "create-user", "--practice-id", str(practice.id), "--email", "new@example.org",
        "--name", "New Person", "--password", "given by the admin",
    ])
    assert result.exit_code == 0, result.output
    client.post("/auth/login", data={"email": "new@example.org", "password": "given by the admin"})

    assert client.get("/couples/").location == "/auth/password"
    assert "Choose your own password" in page(client.get("/auth/password"))
    same = client.post("/auth/password", data={"current_password": "given by the admin",
                                                "password": "given by the admin"})
    assert "not the one you were given" in page(same)

    client.post("/auth/password", data={"current_password": "given by the admin",
                                        "password": "my very own passphrase"})

    assert client.get("/couples/").status_code == 200
    user = db.session.scalars(sa.select(User).where(User.email == "new@example.org")).one()
    assert not user.must_change_password


def test_create_practice_requires_two_factor_and_the_demo_does_not(runner):
    from clinic import demo
    from clinic.practice.models import Practice

    result = runner.invoke(args=["create-practice", "Harbour Lane"])
    assert result.exit_code == 0, result.output
    demo.seed()

    practices = {p.name: p for p in db.session.scalars(sa.select(Practice))}
    assert practices["Harbour Lane"].require_two_factor
    assert not practices[demo.PRACTICE_NAME].require_two_factor
    # The demo's printed accounts open as they are: nobody is asked to change a password.
    assert not db.session.scalar(sa.select(sa.func.count(User.id)).where(User.must_change_password))


# --- the owner ---------------------------------------------------------------------------------


def test_the_owner_removes_a_lost_second_factor(app, login, enrolled, make_user):
    owner = make_user(enrolled.practice, role="owner")
    member = app.test_client()
    password_step(member, enrolled)
    member.post("/auth/code", data={"code": code_for(enrolled)})
    owners = app.test_client()
    login(owner, target=owners)
    assert "Two-factor sign-in is on." in page(owners.get(f"/practice/team/{enrolled.id}"))

    response = owners.post(f"/practice/team/{enrolled.id}/two-factor/reset", follow_redirects=True)

    assert "second factor is removed" in page(response)
    assert member.get("/couples/").location.startswith("/auth/login")  # signed out
    assert password_step(app.test_client(), enrolled).location == "/"  # password alone now
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "user.two_factor_reset"))
    assert (event.actor_user_id, event.object_id) == (owner.id, enrolled.id)


def test_the_owner_turns_the_requirement_on_in_the_settings(client, login, make_user):
    owner = make_user(role="owner")
    login(owner)
    form = page(client.get("/practice/settings"))
    assert "Require two-factor sign-in for everyone" in form
    data = {"timezone": "UTC", "opens_at": "08:00", "closes_at": "18:00", "open_days": list("12345"),
            "remind_on_due_day": "y", "require_two_factor": "y"}

    client.post("/practice/settings", data=data)

    assert db.session.get(User, owner.id).practice.require_two_factor
    assert client.get("/couples/").location == "/auth/two-factor"
