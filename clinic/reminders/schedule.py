"""Which reminder a due date calls for on a given local day (pure: no database, no clock).

Each kind has a window of days rather than one day, so that a worker that was stopped, or a
practice closed on the exact day, still sends it at the next opening; the outbox's dedupe key
keeps it to one message.
"""

import enum
from dataclasses import dataclass
from datetime import date, timedelta


class ReminderKind(enum.StrEnum):
    BEFORE = "before"  # some days before the due date
    DUE = "due"  # on the due date
    OVERDUE = "overdue"  # once, some days after it


# An overdue reminder missed for longer than this is not sent any more.
OVERDUE_GRACE_DAYS = 3


@dataclass(frozen=True)
class Rules:
    """A practice's reminder defaults (see Practice)."""

    days_before: int | None
    on_due_day: bool
    overdue_days: int | None

    @classmethod
    def of(cls, practice) -> "Rules":
        return cls(practice.remind_days_before, practice.remind_on_due_day,
                   practice.remind_overdue_days)

    def earliest_due(self, today: date) -> date:
        """The oldest due date that may still call for a reminder today."""
        return today - timedelta(days=(self.overdue_days or 0) + OVERDUE_GRACE_DAYS)

    def latest_due(self, today: date) -> date:
        return today + timedelta(days=self.days_before or 0)


def reminder_for(rules: Rules, due_on: date, today: date, *, assigned_on: date) -> ReminderKind | None:
    """The reminder due today for work due on `due_on`, or None.

    Nothing on the day the work was assigned: the partner has just heard of it.
    """
    if today <= assigned_on:
        return None
    if today == due_on:
        return ReminderKind.DUE if rules.on_due_day else None
    if today < due_on:
        if rules.days_before and due_on - timedelta(days=rules.days_before) <= today:
            return ReminderKind.BEFORE
        return None
    if rules.overdue_days:
        first = due_on + timedelta(days=rules.overdue_days)
        if first <= today <= first + timedelta(days=OVERDUE_GRACE_DAYS):
            return ReminderKind.OVERDUE
    return None
