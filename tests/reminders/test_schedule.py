"""Which reminder a due date calls for on each day (pure rules, no database)."""

from datetime import date, timedelta

import pytest

from clinic.reminders.schedule import ReminderKind, Rules, reminder_for

DUE = date(2026, 11, 11)  # a Wednesday
DEFAULTS = Rules(days_before=2, on_due_day=True, overdue_days=1)


def day(offset: int) -> date:
    return DUE + timedelta(days=offset)


def week(rules: Rules, assigned: int = -10) -> dict[int, str | None]:
    return {
        offset: (kind.value if (kind := reminder_for(rules, DUE, day(offset),
                                                     assigned_on=day(assigned))) else None)
        for offset in range(-4, 7)
    }


def test_the_defaults_two_days_before_on_the_day_and_one_day_after_with_catch_up():
    assert week(DEFAULTS) == {
        -4: None, -3: None, -2: "before", -1: "before", 0: "due",
        1: "overdue", 2: "overdue", 3: "overdue", 4: "overdue", 5: None, 6: None,
    }


def test_each_kind_can_be_turned_off():
    assert set(week(Rules(None, True, None)).values()) == {None, "due"}
    assert set(week(Rules(3, False, None)).values()) == {None, "before"}
    assert week(Rules(None, False, 2))[2] == "overdue" and week(Rules(None, False, 2))[1] is None


def test_nothing_on_the_day_it_was_assigned():
    assert week(DEFAULTS, assigned=-1)[-1] is None
    assert week(DEFAULTS, assigned=-1)[0] == "due"
    assert week(DEFAULTS, assigned=0)[0] is None


@pytest.mark.parametrize("rules", [DEFAULTS, Rules(5, True, 3), Rules(None, True, None)])
def test_the_query_window_covers_every_day_a_reminder_can_fall_on(rules):
    for offset in range(-20, 20):
        today = day(offset)
        kind = reminder_for(rules, DUE, today, assigned_on=day(-30))
        if kind is not None:
            assert rules.earliest_due(today) <= DUE <= rules.latest_due(today)
    assert ReminderKind("before") is ReminderKind.BEFORE
