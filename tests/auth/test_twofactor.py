"""The second factor as services: enrolment, codes accepted once within ±30 s, recovery codes,
the challenge between password and code, and the owner's reset."""

import time

import pyotp
import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from clinic.audit.models import AuditEvent
from clinic.auth import challenge, services, twofactor
from clinic.auth.models import RecoveryCode, SignInChallenge, User
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.practice.services import reset_member_two_factor
from clinic.sealing import open_text

PASSWORD = "correct horse battery"


def actions(prefix: str = "") -> list[str]:
    return [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))
            if e.action.startswith(prefix)]


def now_code(user, offset: int = 0) -> str:
    return pyotp.TOTP(open_text("totp", user.totp_secret)).at(time.time() + offset)




def test_enrolment_gives_a_key_and_an_otpauth_uri_and_waits_for_a_code(make_user):
    user = make_user(email="jing.chen@example.org")

    enrolment = twofactor.begin_enrolment(user)

    assert len(enrolment.secret) == 32 and enrolment.secret == open_text("totp", user.totp_secret)
    assert enrolment.secret not in user.totp_secret  # stored sealed
    assert enrolment.uri.startswith("otpauth://totp/Clinic:jing.chen%40example.org?secret=")
    assert enrolment.grouped_secret.replace(" ", "") == enrolment.secret
    assert not user.has_two_factor
    # Starting again before confirming shows the same key (a reload of the page).
    assert twofactor.begin_enrolment(user).secret == enrolment.secret


def test_a_wrong_code_does_not_turn_it_on(make_user):
    user = make_user()
    twofactor.begin_enrolment(user)

    with pytest.raises(DomainError) as refused:
        twofactor.confirm_enrolment(user, "000000" if now_code(user) != "000000" else "111111")

    assert refused.value.field == "code"
    assert not user.has_two_factor
    assert db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))) == 0


def test_confirming_gives_ten_single_use_recovery_codes_stored_hashed(enrolled):
    codes = enrolled.recovery

    assert enrolled.has_two_factor
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not any(c.replace("-", "") in h or c in h for c in codes for h in stored)
    assert "user.two_factor_on" in actions()


def test_each_code_is_accepted_once_within_one_step_either_side(enrolled):
    current = now_code(enrolled)

    assert twofactor.verify_second_factor(enrolled, current) == "totp"
    assert twofactor.verify_second_factor(enrolled, current) is None  # replayed
    # The next step's code is still good (a phone a little ahead) ...
    assert twofactor.verify_second_factor(enrolled, now_code(enrolled, 30)) == "totp"
    # ... but nothing older than what was used, and nothing two steps away.
    assert twofactor.verify_second_factor(enrolled, now_code(enrolled, -30)) is None
    assert twofactor.verify_second_factor(enrolled, now_code(enrolled, 90)) is None


def test_a_code_two_steps_old_is_refused(make_user):
    user = make_user()
    twofactor.begin_enrolment(user)

    assert twofactor._accept_totp(user, now_code(user, -60)) is False
    assert twofactor._accept_totp(user, now_code(user, -30)) is True


def test_a_recovery_code_works_once_whatever_its_spelling(enrolled):
    first, second = enrolled.recovery[:2]

    assert twofactor.verify_second_factor(enrolled, first.upper()) == "recovery_code"
    assert twofactor.verify_second_factor(enrolled, first) is None
    assert twofactor.verify_second_factor(enrolled, " " + second.replace("-", " ") + " ") == "recovery_code"
    db.session.commit()
    assert twofactor.remaining_recovery_codes(enrolled) == 8


def test_someone_elses_recovery_code_is_refused(enrolled, make_user):
    other = make_user()
    twofactor.begin_enrolment(other)
    twofactor.confirm_enrolment(other, now_code(other))

    assert twofactor.verify_second_factor(other, enrolled.recovery[0]) is None


def test_new_recovery_codes_need_a_code_and_replace_the_old(enrolled):
    with pytest.raises(DomainError):
        twofactor.replace_recovery_codes(enrolled, "123456" if now_code(enrolled) != "123456" else "654321")

    fresh = twofactor.replace_recovery_codes(enrolled, now_code(enrolled))

    assert twofactor.verify_second_factor(enrolled, enrolled.recovery[0]) is None
    assert twofactor.verify_second_factor(enrolled, fresh[0]) == "recovery_code"


# --- the challenge between password and code --------------------------------------------------


def test_the_password_alone_does_not_sign_in_an_enrolled_user(enrolled):
    user = services.authenticate(enrolled.email, PASSWORD)

    assert user.id == enrolled.id and user.last_login_at is None
    assert "auth.login" not in actions()


def test_a_challenge_is_finished_by_a_code_once(enrolled):
    token = challenge.start(enrolled)
    assert challenge.pending(token).id == enrolled.id

    user = challenge.finish(token, now_code(enrolled))

    assert user.id == enrolled.id and user.last_login_at is not None
    assert challenge.pending(token) is None
    with pytest.raises(challenge.ChallengeEnded):
        challenge.finish(token, now_code(enrolled, 30))
    [login] = [e for e in db.session.scalars(sa.select(AuditEvent)) if e.action == "auth.login"]
    assert login.detail == {"second_factor": "totp"}


def test_five_wrong_codes_end_the_challenge(enrolled, app):
    token = challenge.start(enrolled)
    wrong = "000000" if now_code(enrolled) != "000000" else "111111"
    for _ in range(app.config["SIGN_IN_CHALLENGE_ATTEMPTS"] - 1):
        with pytest.raises(DomainError) as refused:
            challenge.finish(token, wrong)
        assert not isinstance(refused.value, challenge.ChallengeEnded)

    with pytest.raises(challenge.ChallengeEnded):
        challenge.finish(token, wrong)
    with pytest.raises(challenge.ChallengeEnded):
        challenge.finish(token, now_code(enrolled))  # even the right code: password again
    assert actions("auth.code_failed") == ["auth.code_failed"] * 5


@pytest.mark.config(SIGN_IN_CHALLENGE_SECONDS=0)
def test_a_challenge_lapses(enrolled):
    token = challenge.start(enrolled)

    with pytest.raises(challenge.ChallengeEnded):
        challenge.finish(token, now_code(enrolled))


def test_only_the_hash_of_the_challenge_token_is_stored(enrolled):
    token = challenge.start(enrolled)

    row = db.session.scalars(sa.select(SignInChallenge)).one()
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert challenge.pending("not-" + token) is None


# --- the owner's reset -------------------------------------------------------------------------


def test_the_owner_resets_a_members_second_factor_and_their_sessions_end(enrolled, make_user):
    owner = make_user(enrolled.practice, role="owner")
    version = enrolled.session_version

    reset_member_two_factor(owner, enrolled.id)

    member = db.session.get(User, enrolled.id)
    assert not member.has_two_factor and member.totp_secret is None
    assert member.session_version == version + 1
    assert twofactor.verify_second_factor(member, enrolled.recovery[0]) is None
    [event] = [e for e in db.session.scalars(sa.select(AuditEvent))
               if e.action == "user.two_factor_reset"]
    assert (event.actor_user_id, event.object_id) == (owner.id, enrolled.id)


def test_nobody_else_can_reset_a_second_factor(enrolled, make_user, make_practice):
    colleague = make_user(enrolled.practice)
    other_owner = make_user(make_practice(), role="owner")

    for user in (colleague, other_owner):
        with pytest.raises(NotFound):
            reset_member_two_factor(user, enrolled.id)
    assert db.session.get(User, enrolled.id).has_two_factor
