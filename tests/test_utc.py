"""Moments in time: every timestamp column reads back as an aware UTC datetime, on SQLite (which
keeps no offset) and PostgreSQL alike, whatever offset it was written with."""

from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.columns import UTCDateTime
from clinic.extensions import db

SHANGHAI = timezone(timedelta(hours=8))


def test_every_timestamp_column_is_a_utc_moment(app):
    plain = [
        f"{table.name}.{column.name}"
        for table in db.metadata.tables.values() for column in table.columns
        if isinstance(column.type, sa.DateTime) and not isinstance(column.type, UTCDateTime)
    ]
    timestamps = [
        column for table in db.metadata.tables.values() for column in table.columns
        if isinstance(column.type, UTCDateTime)
    ]
    assert plain == []
    assert len(timestamps) > 30


def _stored(at: datetime) -> datetime:
    db.session.add(event := AuditEvent(action="test.moment", at=at))
    db.session.commit()
    event_id = event.id
    db.session.expire_all()
    return db.session.get(AuditEvent, event_id).at


def test_an_offset_is_kept_as_the_same_instant_and_read_back_in_utc(app):
    eight_in_shanghai = datetime(2026, 11, 28, 8, 0, tzinfo=SHANGHAI)

    found = _stored(eight_in_shanghai)

    assert found == datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    assert found.utcoffset() == timedelta(0)
    assert found - datetime(2026, 11, 27, 23, 0, tzinfo=UTC) == timedelta(hours=1)


def test_a_naive_moment_is_taken_as_utc(app):
    assert _stored(datetime(2026, 1, 2, 3, 4, 5)) == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_queries_compare_instants_not_wall_clocks(app):
    _stored(datetime(2026, 11, 28, 8, 0, tzinfo=SHANGHAI))  # 00:00 UTC

    def count(*where):
        return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(*where))

    assert count(AuditEvent.at < datetime(2026, 11, 28, 1, 0, tzinfo=UTC)) == 1
    assert count(AuditEvent.at > datetime(2026, 11, 28, 7, 0, tzinfo=SHANGHAI)) == 1
    latest = db.session.scalar(sa.select(sa.func.max(AuditEvent.at)))
    assert latest == datetime(2026, 11, 28, tzinfo=UTC) and latest.tzinfo is not None
