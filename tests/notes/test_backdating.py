"""Only the demo may sign a note in the past: sign_note always signs now, and the demo's own
function refuses outside a development (or test) installation and refuses a time to come. The
README warns that downgrading the notes' migrations drops what proves them."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from clinic.notes import services
from clinic.notes.models import SessionNote

ROOT = Path(__file__).parents[2]


def test_sign_note_takes_no_time_of_its_own(world, write_note):
    note = write_note(world)

    with pytest.raises(TypeError):
        services.sign_note(world.clinician, note.id, at=datetime(2020, 1, 1, tzinfo=UTC))

    before = datetime.now(UTC)
    signed = services.sign_note(world.clinician, note.id)
    assert signed.signed_at >= before - timedelta(seconds=1)


def test_a_backdated_signature_is_refused_outside_development(app, world, write_note, monkeypatch):
    note = write_note(world)
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setitem(app.config, "DEVELOPMENT", False)

    with pytest.raises(RuntimeError, match="development installation only"):
        services.sign_demo_note(world.clinician, note.id, at=datetime.now(UTC) - timedelta(days=9))

    assert services.get_note(world.clinician, note.id, fresh=True).status == "draft"


def test_the_demo_signs_in_the_past_but_never_in_the_future(app, world, write_note, monkeypatch):
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setitem(app.config, "DEVELOPMENT", True)
    note = write_note(world)

    with pytest.raises(RuntimeError, match="future"):
        services.sign_demo_note(world.clinician, note.id, at=datetime.now(UTC) + timedelta(hours=1))
    when = datetime.now(UTC) - timedelta(days=9)
    services.sign_demo_note(world.clinician, note.id, at=when)

    stored = services.get_note(world.clinician, note.id, fresh=True)
    assert isinstance(stored, SessionNote) and stored.signed_at == when
    assert services.verify_note(stored)


def test_the_readme_says_downgrading_drops_snapshots_and_seals():
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    start = readme.index("Downgrading past these migrations")
    warning = readme[start:start + 900]
    for words in ("below revision 0016", "keyed seal", "below 0014", "snapshot", "flask backup"):
        assert words in warning, words
