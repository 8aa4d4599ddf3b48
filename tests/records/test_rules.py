"""The trend rules (divergence, drop, inactivity, the reference placement) and their thresholds."""

import html
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic.records import rules

D1, D2, D3, D4, D5 = (date(2025, 3, d) for d in (1, 8, 15, 22, 29))
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


# --- diverged -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "threshold", "expected"),
    [
        (7, 4, 3, True),  # exactly the threshold apart
        (4, 7, 3, True),  # either way round
        (7, 5, 3, False),
        (9, 1, 3, True),
        (6, 6, 1, False),
        (7, 4, 4, False),
        (None, 4, 3, False),  # a partner with no placement yet: nothing to compare
        (7, None, 3, False),
        (None, None, 1, False),
    ],
)
def test_diverged(a, b, threshold, expected):
    assert rules.diverged(a, b, threshold) is expected


# --- drop ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "latest", "fell"),
    [(8, 6, 2), (8, 8, 0), (5, 9, 0), (10, 1, 9), (None, 5, 0), (5, None, 0), (None, None, 0)],
)
def test_drop_counts_only_falls(reference, latest, fell):
    assert rules.drop(reference, latest) == fell


@pytest.mark.parametrize(
    ("reference", "latest", "threshold", "expected"),
    [(8, 6, 2, True), (8, 7, 2, False), (8, 5, 2, True), (8, 6, 3, False), (3, 9, 2, False),
     (None, 1, 1, False)],
)
def test_dropped_compares_with_the_threshold(reference, latest, threshold, expected):
    assert rules.dropped(reference, latest, threshold) is expected


# --- inactive -----------------------------------------------------------------------------------


def test_inactive_counts_from_the_last_activity():
    since = NOW - timedelta(days=100)
    assert rules.inactive(NOW - timedelta(days=14), since, NOW, 14)
    assert rules.inactive(NOW - timedelta(days=30), since, NOW, 14)
    assert not rules.inactive(NOW - timedelta(days=14) + timedelta(seconds=1), since, NOW, 14)
    assert not rules.inactive(NOW - timedelta(days=1), since, NOW, 14)


def test_inactive_without_any_activity_counts_from_the_start():
    assert rules.inactive(None, NOW - timedelta(days=15), NOW, 14)
    assert not rules.inactive(None, NOW - timedelta(days=13), NOW, 14)


def test_inactive_follows_the_number_of_days():
    last = NOW - timedelta(days=5)
    assert rules.inactive(last, last, NOW, 5)
    assert not rules.inactive(last, last, NOW, 6)


# --- reference_value ----------------------------------------------------------------------------


def at(points):
    """Placements as the rules read them: (day, value, created at noon that day)."""
    return [(day, value, datetime.combine(day, time(12), UTC)) for day, value in points]


def note(day, hour=23):
    """A note of a session on `day`, written at `hour` that day (UTC)."""
    return (day, datetime.combine(day, time(hour), UTC))


def test_reference_without_placements_or_with_one_is_none():
    assert rules.reference_value([], None) is None
    assert rules.reference_value([], note(D3)) is None
    assert rules.reference_value(at([(D1, 6)]), None) is None
    assert rules.reference_value(at([(D2, 6)]), note(D1)) is None


def test_reference_without_a_session_is_the_placement_before_the_latest():
    assert rules.reference_value(at([(D1, 3), (D2, 8), (D3, 5)]), None) == 8
    assert rules.reference_value(at([(D1, 3), (D2, 8)]), None) == 3


def test_reference_with_a_session_is_the_latest_placement_on_or_before_it():
    points = [(D1, 9), (D2, 8), (D3, 6), (D4, 4)]
    assert rules.reference_value(at(points), note(D2)) == 8  # on the session day
    assert rules.reference_value(at(points), note(D2 + timedelta(days=3))) == 8  # before it
    assert rules.reference_value(at(points), note(D1)) == 9
    assert rules.reference_value(at(points), note(D3)) == 6


def test_reference_with_a_session_but_nothing_before_it_is_the_placement_before_the_latest():
    points = [(D2, 8), (D3, 6), (D4, 4)]
    assert rules.reference_value(at(points), note(D1)) == 6


def test_with_no_placement_since_the_last_session_nothing_fell_since_it():
    """Both placements came before the last session: the fall was seen in that session and is
    not a fall "since the last session" (the docstring: the latest placement on or before it)."""
    points = [(D1, 8), (D2, 5)]

    reference = rules.reference_value(at(points), note(D4))

    assert reference == 5
    assert rules.drop(reference, points[-1][1]) == 0


def test_a_placement_later_on_the_day_of_the_note_is_measured_against_what_the_note_saw():
    points = [*at([(D1, 8)]), (D2, 7, datetime.combine(D2, time(9), UTC)),
              (D2, 3, datetime.combine(D2, time(20), UTC))]

    assert rules.reference_value(points, note(D2, hour=11)) == 7  # the 20:00 fall is news
    assert rules.reference_value(points, note(D2, hour=21)) == 3  # the note saw it


def test_the_cutoff_is_when_the_note_was_written_or_the_end_of_the_session_day():
    signed = datetime(2025, 3, 8, 10, 15, 30, tzinfo=UTC)
    assert rules.note_cutoff(D2, signed, UTC) == signed
    late = datetime(2025, 3, 12, 9, 0, tzinfo=UTC)  # written four days after the session
    assert rules.note_cutoff(D2, late, UTC) == datetime(2025, 3, 9, 0, 0, tzinfo=UTC)
    shanghai = ZoneInfo("Asia/Shanghai")  # the practice's day ends at 16:00 UTC
    assert rules.note_cutoff(D2, late, shanghai) == datetime(2025, 3, 8, 16, 0, tzinfo=UTC)


# --- thresholds come from config: the flags on the couple page ------------------------------------


def _couple_page(client, couple) -> str:
    response = client.get(f"/couples/{couple.id}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


APART = "points apart on the scale right now"


@pytest.fixture
def apart_by_three(make_user, make_couple, place, login):
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    place(a, D1, 7)
    place(b, D1, 4)
    login(clinician)
    return couple


def test_partners_three_apart_are_flagged_with_the_default_threshold(client, apart_by_three):
    assert "The partners are 3 points apart on the scale right now." in _couple_page(
        client, apart_by_three
    )


@pytest.mark.config(SCALE_DIVERGENCE_THRESHOLD=4)
def test_a_higher_divergence_threshold_lifts_the_flag(client, apart_by_three):
    assert APART not in _couple_page(client, apart_by_three)


@pytest.mark.config(SCALE_DIVERGENCE_THRESHOLD=2)
def test_a_lower_divergence_threshold_flags_a_smaller_gap(
    client, make_user, make_couple, place, login
):
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    place(a, D1, 4)
    place(b, D1, 6)
    login(clinician)
    assert "The partners are 2 points apart on the scale right now." in _couple_page(client, couple)


def test_divergence_uses_the_latest_placements(client, make_user, make_couple, place, login):
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    place(a, D1, 9)
    place(b, D1, 2)
    place(a, D2, 5)
    place(b, D3, 4)  # latest: 5 and 4
    login(clinician)
    assert APART not in _couple_page(client, couple)


@pytest.fixture
def fell_by_two(make_user, make_couple, place, mark_session, login):
    """Partner A: 8 before the session on D2, then 6 after it; partner B steady."""
    clinician = make_user()
    couple = make_couple(clinician, a="Chen Jing", b="Wang Hao")
    a, b = couple.partners
    place(a, D1, 8)
    place(b, D1, 7)
    mark_session(couple, D2)
    place(a, D3, 6)
    place(b, D3, 7)
    login(clinician)
    return couple


def test_a_fall_of_two_since_the_session_is_flagged(client, fell_by_two):
    assert "Chen Jing fell 2 points since the last session." in _couple_page(client, fell_by_two)


@pytest.mark.config(SCALE_DROP_THRESHOLD=3)
def test_a_higher_drop_threshold_lifts_the_flag(client, fell_by_two):
    page = _couple_page(client, fell_by_two)
    assert "fell" not in page.split('id="progress"')[1].split("</section>")[0]


@pytest.mark.config(SCALE_DROP_THRESHOLD=1)
def test_a_lower_drop_threshold_flags_a_fall_of_one(client, make_user, make_couple, place, login):
    clinician = make_user()
    couple = make_couple(clinician)
    a, _b = couple.partners
    place(a, D1, 6)
    place(a, D2, 5)
    login(clinician)
    assert "Chen Jing fell 1 point since last time." in _couple_page(client, couple)


def test_without_a_session_the_fall_is_from_the_placement_before(
    client, make_user, make_couple, place, login
):
    clinician = make_user()
    couple = make_couple(clinician)
    _a, b = couple.partners
    place(b, D1, 3)
    place(b, D2, 9)
    place(b, D3, 6)  # from 9, not from the first placement (3)
    login(clinician)
    assert "Wang Hao fell 3 points since last time." in _couple_page(client, couple)


def test_a_fall_before_the_last_session_is_not_flagged_after_it(
    client, make_user, make_couple, place, mark_session, login
):
    clinician = make_user()
    couple = make_couple(clinician)
    a, _b = couple.partners
    place(a, D1, 8)
    place(a, D2, 5)
    mark_session(couple, D3)
    login(clinician)
    page = _couple_page(client, couple)
    assert "fell" not in page.split('id="progress"')[1].split("</section>")[0]
