"""Flags on scale trends and activity: plain functions, thresholds passed in from config."""

from datetime import UTC, date, datetime, time, timedelta, tzinfo


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


def note_cutoff(session_day: date, written_at: datetime | None, tz: tzinfo) -> datetime:
    """The moment a note's record closes: when the note was last written (signed, or saved as a
    draft), or the end of its session's day in the practice's zone if it was written later.

    A record created after this moment is news for the next note, even on the same day.
    """
    end_of_day = datetime.combine(session_day + timedelta(days=1), time.min, tz).astimezone(UTC)
    if written_at is None:
        return end_of_day
    return min(written_at, end_of_day)


def reference_value(placements: list[tuple], cutoff: tuple[date, datetime] | None) -> int | None:
    """The placement a drop is measured from: the latest one placed before the last note's
    session day, or on that day before the note's cutoff moment (a placement later that day is
    news); the latest placement itself when nothing came after (nothing fell since). Without a
    note, or with nothing placed before it, the one before the latest.

    `placements` is [(day, value, created_at)] oldest first; `cutoff` is the last note's
    (session day, cutoff moment), see note_cutoff.
    """
    if not placements:
        return None
    if cutoff is not None:
        session_day, moment = cutoff
        before = [
            value for day, value, created in placements
            if day < session_day or (day == session_day and created <= moment)
        ]
        if before:
            return before[-1]
    return placements[-2][1] if len(placements) >= 2 else None
