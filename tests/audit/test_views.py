"""The audit log: every view and change is recorded, owners read it, nobody rewrites it."""

import html
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.extensions import db

PASSWORD = "correct horse battery"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def log_rows(response) -> list[tuple[str, str, str, str]]:
    """(when, who, action, record) for each row of the audit table, newest first."""
    rows = re.findall(
        r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td><code>(.*?)</code></td>\s*<td>(.*?)</td>",
        page(response), re.S,
    )
    return [tuple(" ".join(cell.split()) for cell in row) for row in rows]


def _actions(**where) -> list[str]:
    query = sa.select(AuditEvent.action).order_by(AuditEvent.id)
    for column, value in where.items():
        query = query.where(getattr(AuditEvent, column) == value)
    return list(db.session.scalars(query))


@pytest.fixture
def practice(make_practice, make_user, make_couple):
    """Owner Mei Lin, clinicians Sam (couple Chen & Wang) and Ana; another practice's owner."""
    p = make_practice("Harbour Lane")
    world = {
        "owner": make_user(p, role="owner", name="Mei Lin"),
        "sam": make_user(p, name="Sam Okafor"),
        "ana": make_user(p, name="Ana Ruiz"),
        "stranger": make_user(make_practice("Elsewhere"), role="owner", name="Stranger Owner"),
    }
    world["couple"] = make_couple(world["sam"], label="Chen & Wang")
    return world


# --- Every view and change writes an event -----------------------------------------------------


def test_every_view_and_change_writes_an_audit_event(app, client, login, practice):
    sam, owner, couple = practice["sam"], practice["owner"], practice["couple"]
    cid = couple.id

    def did(action: str, actor, couple_id=None) -> None:
        event = db.session.scalars(
            sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)
        ).one()
        assert (event.action, event.actor_user_id, event.couple_id) == (
            action, actor.id if actor else None, couple_id,
        )
        assert event.practice_id == sam.practice_id
        assert event.ip == "127.0.0.1"
        assert event.at is not None

    client.post("/auth/login", data={"email": sam.email, "password": "wrong password"})
    did("auth.login_failed", None)
    login(sam)
    did("auth.login", sam)
    client.get("/couples/")
    did("caseload.view", sam)
    client.get(f"/couples/{cid}")
    did("couple.view", sam, cid)
    client.post(f"/couples/{cid}/stage", data={"stage": "2"})
    did("couple.stage", sam, cid)
    client.post(f"/couples/{cid}/status", data={"status": "paused"})
    did("couple.status", sam, cid)
    client.post("/couples/new", data={
        "case_label": "Zhao & Zhou", "current_stage": "1",
        "partner_a-name": "Zhao Lei", "partner_b-name": "Zhou Ting",
    })
    did("couple.create", sam, db.session.scalar(sa.select(sa.func.max(AuditEvent.couple_id))))
    client.post("/auth/password", data={"current_password": PASSWORD, "password": "a new passphrase"})
    did("user.password", sam)
    client.post("/auth/logout")
    did("auth.logout", sam)

    login(owner)
    client.get("/audit/")
    did("audit.view", owner)
    client.post("/practice/team/new", data={
        "name": "Helen Brooks", "email": "helen@example.org", "role": "supervisor",
    })
    did("user.invite", owner)
    client.post(f"/practice/team/{practice['ana'].id}", data={"role": "owner", "active": "y"})
    did("user.role", owner)
    client.post(f"/practice/team/{practice['ana'].id}", data={"role": "owner"})
    did("user.disable", owner)
    client.post(f"/practice/team/{practice['ana'].id}", data={"role": "owner", "active": "y"})
    did("user.enable", owner)


def test_opening_the_edit_page_is_an_audited_read(client, login, practice):
    login(practice["sam"])

    response = client.get(f"/couples/{practice['couple'].id}/edit")

    assert response.status_code == 200
    assert "couple.view" in _actions(couple_id=practice["couple"].id)


def test_editing_a_couple_is_audited(client, login, practice):
    login(practice["sam"])

    client.post(f"/couples/{practice['couple'].id}/edit", data={
        "case_label": "Chen & Wang", "partner_a-name": "Chen Jing", "partner_b-name": "Wang Hao",
    })

    assert "couple.update" in _actions(couple_id=practice["couple"].id)


def test_events_hold_ids_never_names_or_passwords(client, login, practice):
    login(practice["sam"])
    client.get(f"/couples/{practice['couple'].id}")
    client.post("/auth/password", data={"current_password": PASSWORD, "password": "a new passphrase"})
    client.get("/couples/", query_string={"q": "Chen"})

    stored = " ".join(
        f"{e.action} {e.object_type} {e.detail} {e.ip}"
        for e in db.session.scalars(sa.select(AuditEvent))
    )
    for secret in ("Chen", "Wang", "Sam Okafor", PASSWORD, "a new passphrase", practice["sam"].email):
        assert secret not in stored


# --- The owner reads the log -------------------------------------------------------------------


def test_the_owner_reads_the_practice_log_with_names(client, login, practice):
    sams = client.application.test_client()
    login(practice["sam"], target=sams)
    sams.get(f"/couples/{practice['couple'].id}")
    login(practice["stranger"], target=client.application.test_client())
    login(practice["owner"])

    response = client.get("/audit/")

    assert response.status_code == 200
    body = page(response)
    assert "Entries cannot be changed or deleted." in body
    rows = log_rows(response)
    newest = next(row for row in rows if row[2] != "audit.view")  # this very read may be listed
    assert (newest[1], newest[2]) == ("Mei Lin", "auth.login")
    assert ("Sam Okafor", "couple.view", f"couple #{practice['couple'].id} · couple "
            f"#{practice['couple'].id}") in [row[1:] for row in rows]
    # Another practice's events stay there: every row is somebody of this practice, or nobody.
    assert {row[1] for row in rows} <= {"Mei Lin", "Sam Okafor", "Ana Ruiz", "—"}
    assert "Stranger Owner" not in body
    assert rows[0][0].startswith(datetime.now(UTC).strftime("%Y-%m-%d"))


@pytest.mark.parametrize("role", ["clinician", "supervisor"])
def test_only_owners_read_the_log(client, login, make_user, role):
    login(make_user(role=role))

    response = client.get("/audit/")

    assert response.status_code == 404
    assert "audit.view" not in _actions()


def test_filter_by_person(client, login, practice):
    for who in ("sam", "ana"):
        person = client.application.test_client()
        login(practice[who], target=person)
        person.get("/couples/")
    login(practice["owner"])

    response = client.get("/audit/", query_string={
        "user_id": practice["ana"].id, "couple_id": "", "since": "", "until": "",
    })

    rows = log_rows(response)
    assert {row[1] for row in rows} == {"Ana Ruiz"}
    assert [row[2] for row in rows] == ["caseload.view", "auth.login"]
    assert f'<option selected value="{practice["ana"].id}">Ana Ruiz</option>' in page(response)


def test_filter_by_couple(client, login, practice, make_couple):
    other = make_couple(practice["sam"], label="Zhao & Zhou")
    login(practice["sam"])
    client.get(f"/couples/{practice['couple'].id}")
    client.get(f"/couples/{other.id}")
    login(practice["owner"], target=(owner := client.application.test_client()))

    response = owner.get("/audit/", query_string={"couple_id": other.id})

    rows = log_rows(response)
    assert [row[2] for row in rows] == ["couple.view", "couple.create"]
    assert all(f"couple #{other.id}" in row[3] for row in rows)


def _old_event(owner, at: datetime, action: str) -> None:
    db.session.add(AuditEvent(practice_id=owner.practice_id, actor_user_id=owner.id,
                              action=action, at=at))
    db.session.commit()


def test_filter_by_date(client, login, practice):
    owner = practice["owner"]
    _old_event(owner, datetime(2025, 1, 14, 23, 59, tzinfo=UTC), "old.before")
    _old_event(owner, datetime(2025, 1, 15, 0, 0, tzinfo=UTC), "old.first_day")
    _old_event(owner, datetime(2025, 1, 20, 23, 59, tzinfo=UTC), "old.last_day")
    _old_event(owner, datetime(2025, 1, 21, 0, 0, tzinfo=UTC), "old.after")
    login(owner)

    def actions(**query) -> list[str]:
        return [row[2] for row in log_rows(client.get("/audit/", query_string=query))]

    assert actions(since="2025-01-15", until="2025-01-20") == ["old.last_day", "old.first_day"]
    assert actions(until="2025-01-14") == ["old.before"]
    assert actions(since="2025-01-21")[-1] == "old.after"
    assert "old.after" not in actions(since="2025-01-15", until="2025-01-20")
    assert actions(since="2030-01-01") == []
    assert "No events match." in page(client.get("/audit/", query_string={"since": "2030-01-01"}))


@pytest.mark.config(AUDIT_PAGE_SIZE=2)
def test_the_log_is_paginated_newest_first(client, login, practice):
    owner = practice["owner"]
    for day in (1, 2, 3):
        _old_event(owner, datetime(2025, 1, day, tzinfo=UTC), f"old.day{day}")
    login(owner)
    query = {"until": "2025-01-31"}

    first = client.get("/audit/", query_string=query)
    second = client.get("/audit/", query_string={**query, "page": 2})

    assert [row[2] for row in log_rows(first)] == ["old.day3", "old.day2"]
    assert "Page 1 of 2" in page(first)
    assert [row[2] for row in log_rows(second)] == ["old.day1"]
    older = re.search(r'href="([^"]+)">Older</a>', page(first)).group(1)
    assert "until=2025-01-31" in older and "page=2" in older


def test_reading_the_log_is_itself_recorded(client, login, practice):
    login(practice["owner"])

    client.get("/audit/")
    response = client.get("/audit/")

    assert log_rows(response)[0][1:3] == ("Mei Lin", "audit.view")


# --- Append-only, in the application and in the database ---------------------------------------


def test_the_database_refuses_to_delete_or_update_audit_events(app, make_user):
    make_user()
    count = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    assert count > 0

    for statement in ("DELETE FROM audit_event", "UPDATE audit_event SET action = 'forged'"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(sa.text(statement))
        db.session.rollback()

    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == count
    assert "forged" not in _actions()


def test_the_orm_refuses_to_change_or_delete_an_audit_event(app, make_user):
    make_user()
    event = db.session.scalars(sa.select(AuditEvent)).first()

    event.action = "forged"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()

    db.session.delete(db.session.scalars(sa.select(AuditEvent)).first())
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert "forged" not in _actions()
