"""Sign-in, sign-out and password pages as a person uses them."""

import html
import re

import pytest

from clinic.auth.services import GENERIC_LOGIN_ERROR

PASSWORD = "correct horse battery"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_login_page_has_email_and_password_and_no_remember_me(client):
    response = client.get("/auth/login")

    assert response.status_code == 200
    body = page(response)
    assert "Sign in" in body
    inputs = {
        re.search(r'name="(\w+)"', tag).group(1): tag for tag in re.findall(r"<input[^>]*>", body)
    }
    assert 'type="email"' in inputs["email"]
    assert 'type="password"' in inputs["password"]  # never shown in clear on the screen
    assert "None" not in inputs["email"] + inputs["password"]
    assert "remember" not in body.lower()


@pytest.mark.parametrize(
    ("role", "landing", "text"),
    [("clinician", "/couples/", "Caseload"), ("owner", "/couples/", "Caseload"),
     ("supervisor", "/reports/", "Supervision reports")],
)
def test_sign_in_lands_on_the_role_start_page(client, make_user, role, landing, text):
    user = make_user(role=role, email=f"{role}@example.org")

    response = client.post(
        "/auth/login", data={"email": f"  {role.upper()}@Example.org", "password": PASSWORD},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert response.request.path == landing
    assert text in page(response)
    assert user.name in page(response)  # the account menu shows who is signed in


def test_sign_in_ignores_a_next_parameter(client, make_user):
    user = make_user()

    response = client.post(
        "/auth/login?next=https://evil.example/steal",
        data={"email": user.email, "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response.location == "/"


def _refusal(client, email: str, password: str) -> tuple[int, str]:
    response = client.post("/auth/login", data={"email": email, "password": password})
    # The typed email is echoed back into the form; everything else must be identical.
    return response.status_code, page(response).replace(email, "EMAIL")


def test_unknown_email_wrong_password_and_disabled_account_look_the_same(
    client, make_user, app
):
    from clinic.extensions import db

    make_user(email="known@example.org")
    disabled = make_user(email="gone@example.org")
    disabled.active = False
    db.session.commit()

    unknown = _refusal(client, "nobody@example.org", PASSWORD)
    wrong = _refusal(client, "known@example.org", "wrong password here")
    gone = _refusal(client, "gone@example.org", PASSWORD)

    assert unknown == wrong == gone
    assert unknown[0] == 200
    assert GENERIC_LOGIN_ERROR in unknown[1]
    assert client.get("/couples/").status_code == 302  # still not signed in


def test_empty_sign_in_form_shows_field_errors(client):
    response = client.post("/auth/login", data={})

    assert response.status_code == 200
    assert "This field is required." in page(response)


def test_a_signed_in_user_visiting_the_login_page_is_sent_to_the_start(client, login, make_user):
    login(make_user())

    response = client.get("/auth/login")

    assert response.status_code == 302
    assert response.location == "/"


def test_sign_in_starts_a_new_session(client, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker before sign-in"

    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == user.get_id()


def test_no_remember_me_cookie_even_when_asked_for(client, make_user):
    user = make_user()

    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )

    assert response.status_code == 302
    cookies = " ".join(response.headers.getlist("Set-Cookie"))
    assert "clinic_session=" in cookies
    assert "remember_token" not in cookies
    assert client.get_cookie("remember_token") is None


def test_sign_out_says_so_and_ends_access(client, login, make_user):
    login(make_user())

    response = client.post("/auth/logout", follow_redirects=True)

    assert response.request.path == "/auth/login"
    assert "You are signed out." in page(response)
    after = client.get("/couples/")
    assert after.status_code == 302
    assert after.location.startswith("/auth/login")


def test_sign_out_is_post_only(client, login, make_user):
    login(make_user())

    assert client.get("/auth/logout").status_code == 405
    assert client.get("/couples/").status_code == 200  # still signed in


def test_password_page_needs_sign_in(client):
    response = client.get("/auth/password")

    assert response.status_code == 302
    assert response.location.startswith("/auth/login")


def test_password_change_refuses_a_wrong_current_password(client, login, make_user):
    login(make_user())

    response = client.post(
        "/auth/password", data={"current_password": "not mine", "password": "a brand new passphrase"}
    )

    assert response.status_code == 200
    assert "That is not your current password." in page(response)


def test_password_change_refuses_a_common_password(client, login, make_user):
    login(make_user())

    response = client.post("/auth/password", data={"current_password": PASSWORD, "password": "qwerty123"})

    assert response.status_code == 200
    assert "most commonly used" in page(response)


def test_password_change_signs_out_other_devices_but_not_this_one(app, client, login, make_user):
    user = make_user()
    other_device = app.test_client()
    login(user, target=other_device)
    login(user)

    response = client.post(
        "/auth/password", data={"current_password": PASSWORD, "password": "a brand new passphrase"},
        follow_redirects=True,
    )

    assert "Your password is changed. Other devices were signed out." in page(response)
    assert client.get("/couples/").status_code == 200
    assert other_device.get("/couples/").status_code == 302
    client.post("/auth/logout")
    refused = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert GENERIC_LOGIN_ERROR in page(refused)
    login(user, password="a brand new passphrase")
