"""Column types the models share: a domain enumeration stored as text with a CHECK built from
its members, and a CHECK built from a numeric range."""

import enum

import sqlalchemy as sa


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
