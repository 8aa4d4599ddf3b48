"""The keyed seal: someone who can write to the database but does not hold the key (it lives in
configuration) can neither edit a signed note and recompute its SHA-256, nor delete its newest
addendum, without the note failing verification on its page, in its PDF and in `verify-notes`;
keys rotate; notes signed before keyed seals are sealed by `flask seal-notes` if still intact."""

import html

import pytest
import sqlalchemy as sa

from clinic.extensions import db
from clinic.notes import keys, sealing, services, signing
from clinic.notes.models import Addendum, SessionNote
from tests.pdf_helpers import pdf_text

OLD_KEY = "k" * 40
NEW_KEY = "n" * 40


def _flat(text: str) -> str:
    return " ".join(text.split())


def _forge_recomputed(note_id: int, **changes) -> None:
    """What an attacker with write access does: change the row and recompute its SHA-256 with the
    published canonical serialization (the only thing they cannot make is the HMAC)."""
    table = SessionNote.__table__
    db.session.execute(sa.update(table).where(table.c.id == note_id).values(**changes))
    row = db.session.execute(sa.select(table).where(table.c.id == note_id)).mappings().one()
    forged = signing.note_hash(row, [], signed_by_id=row["signed_by_id"], signed_at=row["signed_at"])
    db.session.execute(sa.update(table).where(table.c.id == note_id).values(content_hash=forged))
    db.session.commit()


def test_an_edit_with_a_recomputed_sha256_breaks_the_seal(client, login, world, write_note):
    note = services.sign_note(world.clinician, write_note(world).id)
    assert services.verification(note).ok and services.verification(note).sealed

    _forge_recomputed(note.id, sections={**note.sections, "difficulties": "Nothing was hard."})

    check = services.verification(note)
    assert check.note_ok  # the plain hash alone would be fooled
    assert not check.seal_ok and not check.ok
    login(world.clinician)
    page = html.unescape(client.get(f"/notes/{note.id}").get_data(as_text=True))
    assert "Broken: the note or its list of addenda is not what was sealed" in page
    assert "BROKEN (key derived)" in _flat(pdf_text(services.note_pdf(world.clinician, note.id)))


def test_deleting_the_newest_addendum_is_detected(world, write_note):
    note = services.sign_note(world.clinician, write_note(world).id)
    services.add_addendum(world.clinician, note.id, "Reviewed in supervision.")
    newest = services.add_addendum(world.owner, note.id, "A later correction.")
    assert services.verification(note).ok

    db.session.execute(sa.delete(Addendum).where(Addendum.id == newest.id))
    db.session.commit()

    check = services.verification(note)
    assert all(check.addenda_ok.values())  # the remaining chain alone looks whole
    assert not check.addenda_sealed_ok and not check.ok


def test_keys_rotate_old_notes_verify_while_their_key_is_kept(app, world, write_note):
    app.config.update(NOTE_SEAL_KEYS={"2025": OLD_KEY}, NOTE_SEAL_KEY_ID="2025")
    old = services.sign_note(world.clinician, write_note(world).id)
    app.config.update(NOTE_SEAL_KEYS={"2025": OLD_KEY, "2026": NEW_KEY}, NOTE_SEAL_KEY_ID="2026")
    new = services.sign_note(world.clinician, write_note(world).id)

    assert (services.verification(old).key_id, services.verification(new).key_id) == ("2025", "2026")
    assert services.verification(old).ok and services.verification(new).ok

    app.config.update(NOTE_SEAL_KEYS={"2026": NEW_KEY}, NOTE_SEAL_KEY_ID="2026")
    assert not services.verification(old).ok  # a dropped key cannot vouch for anything


def test_a_seal_made_with_another_key_does_not_verify(app, world, write_note):
    note = services.sign_note(world.clinician, write_note(world).id)
    app.config.update(SECRET_KEY="another-installation-secret-key-0123456789")

    assert not services.verification(note).ok


def test_short_keys_are_refused(app):
    app.config.update(NOTE_SEAL_KEYS={"weak": "short"}, NOTE_SEAL_KEY_ID="weak")
    with pytest.raises(RuntimeError, match="shorter than 32"):
        keys.current_id()


def test_notes_signed_before_keyed_seals_are_sealed_if_still_intact(
    app, monkeypatch, runner, world, write_note
):
    monkeypatch.setitem(app.config, "NOTE_SEALS_REQUIRED", False)  # while upgrading
    intact = services.sign_note(world.clinician, write_note(world).id)
    services.add_addendum(world.clinician, intact.id, "Reviewed.")
    changed = services.sign_note(world.clinician, write_note(world).id)
    unsealed = {"seal": None, "seal_key_id": None, "addenda_seal": None}  # as before the upgrade
    db.session.execute(sa.update(SessionNote.__table__).values(**unsealed))
    db.session.execute(sa.update(SessionNote.__table__).where(SessionNote.id == changed.id)
                       .values(duration_minutes=90))
    db.session.commit()
    assert services.verification(intact).ok and not services.verification(intact).sealed

    result = runner.invoke(args=["seal-notes"])

    assert result.exit_code == 1
    assert "Sealed 1 signed notes." in result.output
    assert f"Note {changed.id} no longer matches its SHA-256" in result.output
    assert services.verification(intact).sealed and services.verification(intact).ok
    assert not services.verification(changed).sealed

    verify = runner.invoke(args=["verify-notes"])
    assert verify.exit_code == 1
    assert f"Note {changed.id}: NOT VERIFIED" in verify.output
    assert "1 of 2 signed notes verified" in verify.output
    assert [n for n, c in sealing.verify_notes(world.couple.practice_id) if c.ok] == [intact.id]


def test_a_note_whose_seal_was_removed_is_broken_and_not_sealed_again(
    app, runner, world, write_note, signed_in
):
    # Someone with database access edits a signed note, recomputes its SHA-256 and blanks the seal.
    note = services.sign_note(world.clinician, write_note(world).id)
    table = SessionNote.__table__
    db.session.execute(sa.update(table).where(table.c.id == note.id).values(duration_minutes=90))
    row = db.session.execute(sa.select(table).where(table.c.id == note.id)).mappings().one()
    forged = signing.note_hash(row, [], signed_by_id=row["signed_by_id"], signed_at=row["signed_at"])
    db.session.execute(sa.update(table).where(table.c.id == note.id).values(
        content_hash=forged, seal=None, seal_key_id=None, addenda_seal=None))
    db.session.commit()

    check = services.verification(note)
    assert check.note_ok and not check.sealed  # the SHA-256 alone would pass it
    assert not check.ok
    page = signed_in(world.clinician).get(f"/notes/{note.id}").get_data(as_text=True)
    assert "carries no seal" in page

    refused = runner.invoke(args=["seal-notes"])
    assert refused.exit_code == 2
    assert not services.verification(note).sealed
    assert runner.invoke(args=["verify-notes"]).exit_code == 1
