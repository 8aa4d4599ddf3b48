"""The mailed links as a person uses them: asking for a reset, choosing a password through a
reset or an invitation link, and what never happens (a second factor skipped, a session kept,
an address confirmed). Mail is read from a local SMTP server."""

import html
import time

import pyotp
import pytest
import sqlalchemy as sa

from clinic.accounts import services as accounts
from clinic.audit.models import AuditEvent
from clinic.auth import twofactor
from clinic.auth.models import User
from clinic.auth.passwords import verify_password
from clinic.domain import TokenPurpose
from clinic.extensions import db
from clinic.practice.services import create_practice
from clinic.sealing import open_text
from tests.account_links import account_link

PASSWORD = "correct horse battery"
NEW = "a lantern by the sea"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def ask_reset(browser, email: str, address: str = "127.0.0.1"):
    return browser.post("/accounts/reset", data={"email": email},
                        environ_base={"REMOTE_ADDR": address})


def test_the_sign_in_page_offers_a_reset(client):
    assert "/accounts/reset" in page(client.get("/auth/login"))


def test_known_and_unknown_addresses_get_the_same_answer(client, make_user, delivered):
    user = make_user(email="jing.chen@example.org")

    known = ask_reset(client, user.email)
    unknown = ask_reset(client, "nobody@example.org")

    assert known.status_code == unknown.status_code == 200
    assert page(known) == page(unknown)
    assert "If that address belongs to an account" in page(known)
    [mail] = delivered(1)
    assert mail["To"].addresses[0].addr_spec == user.email
    # The audit log says who asked from where (the worker's own address is not what matters).
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "auth.reset_requested")).all()
    assert [(e.object_id, e.ip) for e in events] == [(user.id, "127.0.0.1"), (None, "127.0.0.1")]


def test_a_reset_link_sets_a_new_password_and_ends_every_session(app, client, login, make_user,
                                                                  delivered):
    user = make_user()
    old_session = app.test_client()
    login(user, target=old_session)
    ask_reset(client, user.email)
    path, _token = account_link(delivered(1)[0])

    assert client.get(path).status_code == 200  # opening it (a mail scanner, say) uses nothing
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW}, follow_redirects=True)

    assert "every session of yours has ended" in page(response)
    assert client.get("/couples/").status_code == 200  # this browser continues, signed in
    assert old_session.get("/couples/").location.startswith("/auth/login")
    refused = app.test_client().post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 200
    # Once only.
    again = app.test_client().post(path, data={"password": "another lantern"})
    assert again.status_code == 404 and "This link no longer works" in page(again)
    assert [e.object_id for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "auth.password_reset"))] == [user.id]


def test_a_weak_password_is_refused_beside_the_field_and_the_link_still_works(client, make_user,
                                                                             delivered):
    user = make_user()
    ask_reset(client, user.email)
    path, _token = account_link(delivered(1)[0])

    refused = client.post(path, data={"password": "qwerty123"})

    assert refused.status_code == 200 and "most commonly used" in page(refused)
    assert "qwerty123" not in page(refused)
    assert client.post(path, data={"password": NEW}).status_code == 302


def _with_second_factor(user):
    twofactor.begin_enrolment(user)
    twofactor.confirm_enrolment(user, pyotp.TOTP(open_text("totp", user.totp_secret)).at(time.time() - 30))
    return user


def _now_code(user) -> str:
    return pyotp.TOTP(open_text("totp", db.session.get(User, user.id).totp_secret)).now()


def test_a_reset_link_changes_nothing_until_the_second_factor_checks(client, make_user, delivered):
    user = _with_second_factor(make_user())
    ask_reset(client, user.email)
    path, _token = account_link(delivered(1)[0])
    assert "Nothing changes until it checks" in page(client.get(path))

    for code in ("", "000000", "aaaa-bbbb-cccc-dddd"):
        refused = client.post(path, data={"password": NEW, "code": code})

        assert refused.status_code == 200 and "That code is not right." in page(refused)
        db.session.expire_all()
        assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)
        assert accounts.holder(_token, TokenPurpose.RESET) is not None  # the link still works
    assert [e.action for e in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "auth.password_reset"))] == []

    response = client.post(path, data={"password": NEW, "code": _now_code(user)})

    assert response.location == "/"  # the code was just given: signed in, not asked again
    assert client.get("/couples/").status_code == 200
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, NEW)
    assert accounts.holder(_token, TokenPurpose.RESET) is None


@pytest.mark.config(RATELIMIT_ENABLED=True, CODE_LIMIT_PER_ACCOUNT="3 per hour",
                    RATELIMIT_STORAGE_URI="memory://")
def test_wrong_codes_on_a_reset_link_spend_the_accounts_budget_of_wrong_codes(app, make_user,
                                                                              delivered):
    user = _with_second_factor(make_user())
    ask_reset(app.test_client(), user.email)
    path, _token = account_link(delivered(1)[0])

    statuses = [
        app.test_client().post(path, data={"password": NEW, "code": "000000"},
                               environ_base={"REMOTE_ADDR": f"203.0.113.{i}"}).status_code
        for i in range(1, 5)
    ]

    assert statuses == [200, 200, 200, 429]
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)


def test_an_invitation_in_a_practice_that_requires_it_leads_to_setting_up_the_second_factor(
    app, make_user, delivered
):
    practice = create_practice("Harbour Lane", require_two_factor=True)
    owner = make_user(practice, role="owner")
    invited = accounts.invite_member(owner, accounts.Invitation("li.na@example.org", "Li Na", "clinician"))
    path, _token = account_link(delivered(1)[0])
    browser = app.test_client()

    browser.post(path, data={"password": NEW})

    assert browser.get("/couples/").location == "/auth/two-factor"
    assert not db.session.get(User, invited.id).has_two_factor


def test_link_pages_keep_their_token_to_themselves(client, make_user, delivered):
    user = make_user()
    ask_reset(client, user.email)
    path, token = account_link(delivered(1)[0])

    response = client.get(path)

    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert token not in page(response)


@pytest.mark.parametrize("path", ["/accounts/reset/nonsense", "/accounts/invitation/nonsense"])
def test_an_unknown_link_gets_the_same_refusal_as_a_used_one(client, path):
    response = client.get(path)

    assert response.status_code == 404 and "This link no longer works" in page(response)


@pytest.mark.config(RATELIMIT_ENABLED=True, RESET_LIMIT_PER_ADDRESS="3 per hour")
def test_reset_requests_are_limited_per_address_not_per_account(app, make_user, delivered):
    user = make_user()
    asker = app.test_client()
    codes = [ask_reset(asker, f"someone{i}@example.org", "203.0.113.4").status_code
             for i in range(4)]
    assert codes == [200, 200, 200, 429]

    # The owner of the address, elsewhere, still gets their link.
    assert ask_reset(app.test_client(), user.email, "198.51.100.2").status_code == 200
    assert len(delivered(1)) == 1
