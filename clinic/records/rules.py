"""Flags on scale trends and activity: plain functions, thresholds passed in from config."""

from datetime import datetime, timedelta


def diverged(value_a: int | None, value_b: int | None, threshold: int) -> bool:
    """The partners' latest placements are `threshold` or more points apart."""
    if value_a is None or value_b is None:
        return False
    return abs(value_a - value_b) >= threshold


def drop(reference: int | None, latest: int | None) -> int:
    """How many points a partner fell from the reference placement to the latest (0 if none)."""
    if reference is None or latest is None:
        return 0
    return max(reference - latest, 0)


def dropped(reference: int | None, latest: int | None, threshold: int) -> bool:
    return drop(reference, latest) >= threshold


def inactive(last_activity: datetime | None, since: datetime, now: datetime, days: int) -> bool:
    """Nothing came in for `days` days: counted from the last activity, or from `since`
    (when the couple started) if nothing ever came in."""
    start = last_activity or since
    return now - start >= timedelta(days=days)


def reference_value(placements: list[tuple], last_session) -> int | None:
    """The placement a drop is measured from: the latest one on or before the last session
    (the latest placement itself when none came after the session: nothing fell since); without a
    session, or with none placed before it, the one before the latest. `placements` is
    [(day, value)] oldest first.
    """
    if not placements:
        return None
    if last_session is not None:
        before = [value for day, value in placements if day <= last_session]
        if before:
            return before[-1]
    return placements[-2][1] if len(placements) >= 2 else None
