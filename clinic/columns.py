"""Column types the models share: a domain enumeration stored as text with a CHECK built from
its members, a CHECK built from a numeric range, and a moment in time that always comes back as
an aware UTC datetime."""

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


def enum_text(members: type[enum.Enum], *, name: str, length: int) -> sa.Enum:
    """A clinic.domain enumeration stored as its values in a VARCHAR(`length`).

    The CHECK constraint (`ck_<table>_<name>` by the naming convention) lists the members, so it
    can never drift from the enumeration; reading gives the member back. Not a native PostgreSQL
    enum: a new member is then a CHECK change, not a type migration.
    """
    return sa.Enum(
        members, name=name, length=length, native_enum=False, create_constraint=True,
        values_callable=lambda found: [member.value for member in found],
        validate_strings=True,
    )


def between(column: str, values: range | type[enum.IntEnum], name: str) -> sa.CheckConstraint:
    """A CHECK that `column` lies within the numbers of a range or an integer enumeration."""
    numbers = [int(v) for v in values]
    return sa.CheckConstraint(f"{column} between {min(numbers)} and {max(numbers)}", name=name)


class UTCDateTime(sa.types.TypeDecorator):
    """A moment, written as UTC and always read back aware in UTC.

    SQLite keeps no offset, so it stores the naive UTC wall time and would hand it back naive;
    PostgreSQL keeps `timestamp with time zone`. Either way Python sees an aware UTC datetime, so
    no call site has to patch what it reads. A naive value written is taken to be UTC already.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
