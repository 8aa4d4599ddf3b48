"""`flask` commands: creating a practice and its first accounts, and seeding the demo."""

import html
import re

import pytest
import sqlalchemy as sa

from clinic import create_app
from clinic.auth.models import User
from clinic.couples.models import Couple
from clinic.extensions import db
from clinic.practice.models import Practice

PASSWORD = "correct horse battery"
DEMO_COUPLES = ["Chen & Wang", "Liu & Sun", "Zhao & Zhou"]


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- create-practice and create-user ------------------------------------------------------------


def test_create_practice(runner):
    result = runner.invoke(args=["create-practice", "  Harbour Lane Couples Practice "])

    assert result.exit_code == 0, result.output
    practice = db.session.scalars(sa.select(Practice)).one()
    assert practice.name == "Harbour Lane Couples Practice"
    assert result.output.startswith(f"Created practice {practice.id}: Harbour Lane Couples Practice\n")
    # A practice set up for real use asks every member for a second factor.
    assert practice.require_two_factor
    assert "second factor" in result.output


def _create_user(runner, practice_id, *, email="mei.lin@example.org", role="owner", typed=None):
    typed = typed if typed is not None else f"{PASSWORD}\n{PASSWORD}\n"
    return runner.invoke(
        args=["create-user", "--practice-id", str(practice_id), "--email", email,
              "--name", "Dr. Mei Lin", "--role", role],
        input=typed,
    )


def test_create_user_asks_for_the_password_twice_and_never_shows_it(
    client, login, runner, make_practice
):
    practice = make_practice()

    result = _create_user(runner, practice.id)

    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert PASSWORD not in result.output
    user = db.session.scalars(sa.select(User)).one()
    assert (user.practice_id, user.role, user.name) == (practice.id, "owner", "Dr. Mei Lin")
    assert f"Created owner mei.lin@example.org (id {user.id})." in result.output
    login(user)
    # Somebody typed this password for them: they choose their own before anything else.
    assert client.get("/practice/team").location == "/auth/password"
    client.post("/auth/password", data={"current_password": PASSWORD, "password": "mei's own phrase"})
    assert client.get("/practice/team").status_code == 200


def test_create_user_refuses_two_different_passwords(runner, make_practice):
    practice = make_practice()

    result = _create_user(runner, practice.id, typed=f"{PASSWORD}\nsomething else\n")

    assert result.exit_code != 0
    assert "do not match" in result.output
    assert PASSWORD not in result.output and "something else" not in result.output
    assert _count(User) == 0


@pytest.mark.parametrize(("typed", "message"), [
    ("password1", "password: This password is among the most commonly used ones"),
    ("short", "password: Use at least 8 characters."),
])
def test_create_user_explains_a_refused_password(runner, make_practice, typed, message):
    practice = make_practice()

    result = _create_user(runner, practice.id, typed=f"{typed}\n{typed}\n")

    assert result.exit_code == 1
    assert message in result.output
    assert typed not in result.output.replace(message, "")
    assert _count(User) == 0


def test_create_user_refuses_a_taken_email(runner, make_user):
    existing = make_user(email="mei.lin@example.org")

    result = _create_user(runner, existing.practice_id, email="Mei.Lin@example.org")

    assert result.exit_code == 1
    assert "email: An account with this email already exists." in result.output
    assert _count(User) == 1


def test_create_user_refuses_an_unknown_practice(runner):
    result = _create_user(runner, 424242)

    assert result.exit_code == 1
    assert "No practice with id 424242." in result.output
    assert "Traceback" not in result.output
    assert _count(User) == 0


def test_create_user_refuses_an_unknown_role(runner, make_practice):
    result = _create_user(runner, make_practice().id, role="admin")

    assert result.exit_code == 2
    assert _count(User) == 0


# --- seed-demo ----------------------------------------------------------------------------------

LOGIN_LINE = re.compile(r"^\s+(owner|clinician|supervisor)\s+(\S+@\S+)\s+(\S+)\s*$", re.M)


def _logins(output: str) -> dict[str, tuple[str, str]]:
    """email -> (role, password) from the seed-demo output."""
    return {email: (role, password) for role, email, password in LOGIN_LINE.findall(output)}


def test_seed_demo_prints_the_logins(runner):
    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    assert "Demo practice ready. Sign in at" in result.output
    logins = _logins(result.output)
    assert sorted(role for role, _ in logins.values()) == [
        "clinician", "clinician", "owner", "supervisor",
    ]
    assert len({password for _, password in logins.values()}) == 4
    assert all(len(password) >= 12 for _, password in logins.values())


def test_seed_demo_is_idempotent(runner):
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])

    assert first.exit_code == second.exit_code == 0, second.output
    assert _count(Practice) == 1
    assert _count(User) == 4
    assert sorted(db.session.scalars(sa.select(Couple.case_label))) == DEMO_COUPLES
    assert _logins(first.output).keys() == _logins(second.output).keys()


def test_the_printed_owner_password_shows_the_three_couples(client, runner):
    old = _logins(runner.invoke(args=["seed-demo"]).output)
    logins = _logins(runner.invoke(args=["seed-demo"]).output)
    [owner_email] = [email for email, (role, _) in logins.items() if role == "owner"]

    response = client.post(
        "/auth/login", data={"email": owner_email, "password": logins[owner_email][1]},
        follow_redirects=True,
    )

    assert response.request.path == "/couples/"
    body = page(response)
    for label in DEMO_COUPLES:
        assert label in body
    # Seeding again replaced the passwords: the first run's no longer work.
    client.post("/auth/logout")
    stale = client.post("/auth/login", data={"email": owner_email, "password": old[owner_email][1]})
    assert "do not match an active account" in page(stale)


def test_a_printed_clinician_password_shows_only_their_couple(client, runner):
    logins = _logins(runner.invoke(args=["seed-demo"]).output)
    clinician = next(email for email, (role, _) in logins.items() if role == "clinician")

    response = client.post(
        "/auth/login", data={"email": clinician, "password": logins[clinician][1]},
        follow_redirects=True,
    )

    shown = [label for label in DEMO_COUPLES if label in page(response)]
    assert len(shown) == 1


def test_seed_demo_refuses_outside_development(database_url, tmp_path):
    production = create_app({
        "TESTING": False, "DEVELOPMENT": False, "DEBUG": False, "SECRET_KEY": "x" * 32,
        "SQLALCHEMY_DATABASE_URI": database_url,
    })

    with production.app_context():
        result = production.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 1
        assert "seed-demo only runs on a development installation" in result.output
        assert _count(User) == 0 and _count(Practice) == 0
        db.session.remove()
        db.engine.dispose()
