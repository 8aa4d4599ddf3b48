"""Account use cases without HTTP: sign-in, session versions, creating users, passwords."""


import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, Type, extract_parameters
from flask import Flask

from clinic.audit.models import AuditEvent
from clinic.auth import services
from clinic.auth.models import User
from clinic.auth.passwords import hash_password, verify_password
from clinic.config import Defaults
from clinic.errors import DomainError
from clinic.extensions import db

PASSWORD = "correct horse battery"


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_authenticate_returns_the_user_and_records_the_sign_in(make_user):
    user = make_user(email="mei@example.org")

    signed_in = services.authenticate("  MEI@example.org ", PASSWORD)

    assert signed_in.id == user.id
    assert signed_in.last_login_at is not None
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "auth.login")
    ).one()
    assert (event.actor_user_id, event.practice_id) == (user.id, user.practice_id)


@pytest.mark.parametrize("case", ["unknown email", "wrong password", "disabled account"])
def test_every_refused_sign_in_gives_the_same_error(make_user, case):
    user = make_user(email="sam@example.org")
    email, password = "sam@example.org", PASSWORD
    if case == "unknown email":
        email = "nobody@example.org"
    elif case == "wrong password":
        password = "not the password"
    else:
        user.active = False
        db.session.commit()

    with pytest.raises(DomainError) as refused:
        services.authenticate(email, password)

    assert refused.value.message == services.GENERIC_LOGIN_ERROR
    assert refused.value.field is None
    assert "auth.login_failed" in _actions()
    assert db.session.get(User, user.id).last_login_at is None


def test_an_unknown_email_still_pays_for_one_full_password_check(make_user, monkeypatch):
    """Timing tells nothing: an unknown address runs the same argon2id verification (same
    cost parameters) as a wrong password. The timings themselves: bench/login_timing.py."""
    user = make_user(email="timing@example.org")
    checked: list[str] = []
    real_verify = PasswordHasher.verify

    def counting_verify(hasher, stored_hash, password):
        checked.append(stored_hash.split("$")[3])  # the "m=…,t=…,p=…" cost parameters
        return real_verify(hasher, stored_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    for email in ("timing@example.org", "nobody@example.org"):
        with pytest.raises(DomainError):
            services.authenticate(email, "a wrong password")

    assert len(checked) == 2
    assert checked[0] == checked[1] == user.password_hash.split("$")[3]


def test_passwords_are_hashed_at_the_production_cost_unless_configured_otherwise():
    """The suite hashes cheaply (tests/conftest.py); the defaults are what ships: argon2id with
    m = 19 MiB, t = 2, p = 1 (the OWASP minimum)."""
    shipped = Flask(__name__)
    shipped.config.from_object(Defaults)
    with shipped.app_context():
        stored = hash_password(PASSWORD)
        assert verify_password(stored, PASSWORD)

    cost = extract_parameters(stored)
    assert (cost.type, cost.time_cost, cost.memory_cost, cost.parallelism) == (Type.ID, 2, 19 * 1024, 1)


def test_load_user_accepts_only_the_current_session_version(make_user):
    user = make_user()
    current = user.get_id()

    assert services.load_user(current).id == user.id
    assert services.load_user(f"{user.id}.{user.session_version + 1}") is None
    for garbage in ("", "abc", str(user.id), f"{user.id}.x", "1.2.3"):
        assert services.load_user(garbage) is None

    services.end_sessions(user, reason="sign-out")

    assert services.load_user(current) is None
    assert services.load_user(user.get_id()).id == user.id
    assert _actions()[-1] == "auth.logout"


def test_a_disabled_user_is_not_loaded(make_user):
    user = make_user()
    user.active = False
    db.session.commit()

    assert services.load_user(user.get_id()) is None


def test_create_user_normalises_the_email_and_hashes_the_password(make_practice):
    practice = make_practice()

    user = services.create_user(
        practice.id,
        services.NewUser(email=" Ana.Ruiz@Example.org ", name=" Ana Ruiz ", role="clinician",
                         password=PASSWORD),
    )

    assert (user.email, user.name, user.role) == ("ana.ruiz@example.org", "Ana Ruiz", "clinician")
    assert user.active and user.session_version == 1
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, PASSWORD)
    assert "user.create" in _actions()


@pytest.mark.parametrize(
    ("field", "changes", "message"),
    [
        ("password", {"password": "short"}, "Use at least 8 characters."),
        ("password", {"password": "x" * 129}, "Use at most 128 characters."),
        ("password", {"password": "Password1"}, "most commonly used"),
        ("role", {"role": "admin"}, "Choose owner, clinician or supervisor."),
        ("email", {"email": "TAKEN@example.org"}, "already exists"),
    ],
)
def test_create_user_refusals(make_user, make_practice, field, changes, message):
    make_user(email="taken@example.org")
    practice = make_practice()
    data = {"email": "new@example.org", "name": "New", "role": "clinician", "password": PASSWORD}
    data.update(changes)
    before = db.session.scalar(sa.select(sa.func.count(User.id)))

    with pytest.raises(DomainError) as refused:
        services.create_user(practice.id, services.NewUser(**data))

    assert refused.value.field == field
    assert message in refused.value.message
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before


def test_set_password_replaces_the_hash_and_ends_other_sessions(make_user):
    user = make_user()
    old_session = user.get_id()

    services.set_password(user, "a brand new passphrase")

    assert services.load_user(old_session) is None
    assert verify_password(user.password_hash, "a brand new passphrase")
    assert not verify_password(user.password_hash, PASSWORD)
    assert "user.password" in _actions()


def test_set_password_refuses_a_common_password(make_user):
    user = make_user()
    old_hash, old_session = user.password_hash, user.get_id()

    with pytest.raises(DomainError) as refused:
        services.set_password(user, "iloveyou")

    assert refused.value.field == "password"
    db.session.refresh(user)
    assert user.password_hash == old_hash
    assert services.load_user(old_session) is not None
