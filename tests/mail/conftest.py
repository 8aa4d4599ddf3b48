"""Mail fixtures: a practice with a clinician and a couple, and a queue helper."""

import pytest

from clinic.extensions import db
from clinic.mail.services import queue_message


@pytest.fixture
def clinician(make_user):
    return make_user(role="clinician")


@pytest.fixture
def couple(clinician, make_couple):
    return make_couple(clinician)


@pytest.fixture
def queue(app, clinician):
    """Queue (and commit) a plain message to a partner-like address; returns the row."""

    def do(n: int = 1, **kwargs):
        fields = {
            "practice_id": clinician.practice_id, "kind": "test", "to_address": "jing@example.org",
            "to_name": "Chen Jing", "subject": "Hello", "body": "A message.",
        }
        fields.update(kwargs)
        messages = [queue_message(**fields) for _ in range(n)]
        db.session.commit()
        return messages[0] if n == 1 else messages

    return do
