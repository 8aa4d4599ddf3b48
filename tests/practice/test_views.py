"""The practice overview and the owner's team pages."""

import html
import re

import pytest
import sqlalchemy as sa

from clinic.auth.models import User
from clinic.auth.services import GENERIC_LOGIN_ERROR
from clinic.extensions import db
from tests.account_links import account_link

PASSWORD = "correct horse battery"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def overview_rows(response) -> list[list[str]]:
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', page(response), re.S)
    return [[name, *re.findall(r"<td>(.*?)</td>", cells)] for name, cells in rows]


# --- Overview -----------------------------------------------------------------------------------


def test_the_overview_counts_couples_per_clinician_without_names(
    client, login, make_practice, make_user, make_couple
):
    from clinic.couples.services import change_status

    practice = make_practice("Harbour Lane Couples Practice")
    owner = make_user(practice, role="owner", name="Mei Lin")
    sam = make_user(practice, name="Sam Okafor")
    make_couple(sam, label="Chen & Wang")
    paused = make_couple(sam, label="Zhao & Zhou")
    change_status(sam, paused.id, "paused")
    make_couple(owner, label="Liu & Sun")
    make_couple(make_user(name="Somebody Else"), label="Elsewhere")
    login(make_user(practice, role="supervisor"))

    response = client.get("/practice/")

    assert response.status_code == 200
    body = page(response)
    assert "<h1>Harbour Lane Couples Practice</h1>" in body
    assert overview_rows(response) == [["Mei Lin", "1", "0", "0"], ["Sam Okafor", "1", "1", "0"]]
    assert "As a supervisor you see figures about the practice, never client records." in body
    for secret in ("Chen", "Zhao", "Liu", "Elsewhere", "Somebody Else"):
        assert secret not in body


def test_an_empty_practice_says_so(client, login, make_user):
    login(make_user(role="owner"))

    assert "No couples yet." in page(client.get("/practice/"))


# --- Team ---------------------------------------------------------------------------------------


def test_the_owner_sees_the_team(client, login, make_practice, make_user):
    practice = make_practice()
    owner = make_user(practice, role="owner", name="Mei Lin")
    make_user(practice, role="supervisor", name="Helen Brooks", email="helen@example.org")
    make_user(name="Not In This Practice")
    login(owner)

    response = client.get("/practice/team")

    assert response.status_code == 200
    body = page(response)
    assert "Mei Lin" in body and "Helen Brooks" in body and "helen@example.org" in body
    assert "Supervisor" in body
    assert "Not In This Practice" not in body


@pytest.mark.parametrize("role", ["clinician", "supervisor"])
def test_only_owners_manage_the_team(client, login, make_user, role):
    user = make_user(role=role)
    colleague = make_user(practice=user.practice)
    login(user)

    for path in ("/practice/team", "/practice/team/new", f"/practice/team/{colleague.id}"):
        assert client.get(path).status_code == 404, path
    response = client.post(f"/practice/team/{colleague.id}", data={"role": "owner", "active": "y"})
    assert response.status_code == 404
    assert db.session.get(User, colleague.id).role == "clinician"
    assert "/practice/team" not in page(client.get("/practice/"))  # no Team link in the menu


def test_an_owner_cannot_reach_another_practice_member(client, login, make_user):
    owner = make_user(role="owner")
    stranger = make_user()
    login(owner)

    assert client.get(f"/practice/team/{stranger.id}").status_code == 404
    response = client.post(f"/practice/team/{stranger.id}", data={"role": "clinician"})
    assert response.status_code == 404
    assert db.session.get(User, stranger.id).active


def _new_member(**extra) -> dict:
    data = {"name": "Ana Ruiz", "email": "Ana.Ruiz@example.org", "role": "clinician"}
    data.update(extra)
    return data


def test_an_owner_invites_a_clinician_who_chooses_a_password_and_signs_in(
    app, client, login, make_user, delivered
):
    owner = make_user(role="owner")
    login(owner)
    assert "Invite a clinician, supervisor or owner" in page(client.get("/practice/team/new"))

    response = client.post("/practice/team/new", data=_new_member(), follow_redirects=True)

    assert response.request.path == "/practice/team"
    body = page(response)
    assert "Ana Ruiz is invited: a link to choose a password is on its way to ana.ruiz@example.org." in body
    assert "Invited" in body
    ana = db.session.scalars(sa.select(User).where(User.email == "ana.ruiz@example.org")).one()
    assert (ana.practice_id, ana.role) == (owner.practice_id, "clinician")
    [mail] = delivered(1)
    assert mail["To"].addresses[0].addr_spec == "ana.ruiz@example.org"
    path, _token = account_link(mail)
    browser = app.test_client()
    assert browser.get(path).status_code == 200
    welcome = browser.post(path, data={"password": "a first passphrase"}, follow_redirects=True)
    assert "Your password is set." in page(welcome)
    assert browser.get("/couples/").status_code == 200
    login(ana, password="a first passphrase", target=app.test_client())


def test_a_posted_practice_id_or_password_is_ignored(client, login, make_user):
    owner = make_user(role="owner")
    other_owner = make_user(role="owner")
    login(owner)

    client.post("/practice/team/new", data=_new_member(
        practice_id=str(other_owner.practice_id), password="chosen by the owner",
    ))

    ana = db.session.scalars(sa.select(User).where(User.email == "ana.ruiz@example.org")).one()
    assert ana.practice_id == owner.practice_id
    assert ana.invitation_pending


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "TAKEN@example.org"}, "An account with this email already exists."),
        ({"email": "not an email"}, "Invalid email address."),
        ({"role": "admin"}, "Not a valid choice."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_inviting_a_member_explains_what_is_wrong(client, login, make_user, changes, message):
    owner = make_user(role="owner")
    make_user(email="taken@example.org")
    login(owner)
    before = db.session.scalar(sa.select(sa.func.count(User.id)))

    response = client.post("/practice/team/new", data=_new_member(**changes))

    assert response.status_code == 200
    assert message in page(response)
    assert "Please check the highlighted fields below" in page(response)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before


def test_an_owner_sends_a_new_invitation_and_the_old_link_stops(app, client, login, make_user,
                                                                 delivered):
    owner = make_user(role="owner")
    login(owner)
    client.post("/practice/team/new", data=_new_member())
    ana = db.session.scalars(sa.select(User).where(User.email == "ana.ruiz@example.org")).one()
    assert "Invited: no password chosen yet." in page(client.get(f"/practice/team/{ana.id}"))
    delivered(1)  # the first invitation went out (one still waiting would be withdrawn)

    response = client.post(f"/practice/team/{ana.id}/invitation", follow_redirects=True)

    assert "A new invitation is on its way to ana.ruiz@example.org" in page(response)
    first, second = (account_link(m)[0] for m in delivered(2))
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200


def test_an_owner_changes_a_role(client, login, make_user):
    owner = make_user(role="owner")
    member = make_user(practice=owner.practice, name="Sam Okafor")
    login(owner)

    response = client.post(
        f"/practice/team/{member.id}", data={"role": "supervisor", "active": "y"},
        follow_redirects=True,
    )

    assert "Sam Okafor's account is updated." in page(response)
    assert db.session.get(User, member.id).role == "supervisor"


def test_an_owner_disables_and_enables_a_member(client, login, make_user):
    owner = make_user(role="owner")
    member = make_user(practice=owner.practice)
    login(owner)

    response = client.post(
        f"/practice/team/{member.id}", data={"role": "clinician"}, follow_redirects=True
    )

    assert "Disabled" in page(response)
    refused = client.application.test_client().post(
        "/auth/login", data={"email": member.email, "password": PASSWORD}
    )
    assert GENERIC_LOGIN_ERROR in page(refused)
    client.post(f"/practice/team/{member.id}", data={"role": "clinician", "active": "y"})
    assert db.session.get(User, member.id).active


def test_the_last_owner_cannot_step_down_or_disable_themselves(client, login, make_user):
    owner = make_user(role="owner")
    login(owner)

    for data in ({"role": "clinician", "active": "y"}, {"role": "owner"}):
        response = client.post(f"/practice/team/{owner.id}", data=data)
        assert response.status_code == 200
        assert "The practice needs at least one active owner." in page(response)
    assert db.session.get(User, owner.id).role == "owner"
    assert db.session.get(User, owner.id).active


def test_with_a_second_owner_one_may_step_down(client, login, make_user):
    owner = make_user(role="owner")
    make_user(practice=owner.practice, role="owner")
    login(owner)

    response = client.post(f"/practice/team/{owner.id}", data={"role": "clinician", "active": "y"})

    assert response.status_code == 302
    assert db.session.get(User, owner.id).role == "clinician"
    assert client.get("/practice/team").status_code == 404  # no longer an owner, at once
