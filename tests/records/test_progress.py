"""The progress services: the dyadic trend and the pattern counts."""

from datetime import date

from clinic.notes.services import session_days
from clinic.records import progress
from clinic.records.models import TAG_CATEGORIES
from clinic.records.services import tag_entry

D1, D2, D3, D4 = date(2025, 3, 1), date(2025, 3, 8), date(2025, 3, 15), date(2025, 3, 22)


# --- couple_progress ----------------------------------------------------------------------------


def test_progress_has_a_trend_per_partner(app, make_user, make_couple, place):
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    place(a, D3, 6)
    place(a, D1, 3)  # entered later, earlier day
    place(b, D2, 5)

    result = progress.couple_progress(couple, session_days(couple.id))

    trend_a, trend_b = result.partners
    assert (trend_a.partner_id, trend_a.name) == (a.id, "Chen Jing")
    assert trend_a.first == (D1, 3) and trend_a.latest == (D3, 6) and trend_a.change == 3
    assert trend_b.first == trend_b.latest == (D2, 5) and trend_b.change == 0
    assert result.gap == 1 and not result.diverged and not result.any_drop
    assert result.last_session is None


def test_a_partner_without_placements_has_no_trend_and_no_gap(app, make_user, make_couple, place):
    clinician = make_user()
    couple = make_couple(clinician)
    a, _b = couple.partners
    place(a, D1, 2)

    result = progress.couple_progress(couple, session_days(couple.id))

    assert result.partners[1].latest is None and result.partners[1].change is None
    assert result.gap is None and not result.diverged


def test_sessions_and_stage_changes_are_markers(app, make_user, make_couple, place, mark_session):
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    place(a, D1, 8)
    mark_session(couple, D2)
    mark_session(couple, D3)
    place(a, D4, 5)
    place(b, D4, 7)

    result = progress.couple_progress(couple, session_days(couple.id))

    sessions = [(m.day, m.label) for m in result.markers if m.kind == "session"]
    assert sessions == [(D2, "S1"), (D3, "S2")]
    assert [m.label for m in result.markers if m.kind == "stage"] == ["Stage 1"]
    assert result.last_session == D3
    assert result.partners[0].reference == 8 and result.partners[0].dropped_by == 3
    assert result.partners[0].dropped and result.any_drop
    assert not result.partners[1].dropped


def test_one_partners_progress_holds_only_their_own_placements(app, make_user, make_couple, place):
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    place(a, D1, 4)
    place(b, D1, 9, shared=True)

    result = progress.couple_progress(couple, [], partner=a, title="Mine")

    assert [t.partner_id for t in result.partners] == [a.id]
    assert result.chart.rows == [(D1, {"Chen Jing": 4})]
    assert result.chart.title == "Mine"
    assert result.markers == [] and not result.diverged


# --- patterns -----------------------------------------------------------------------------------


def _counts(result) -> dict[str, list[tuple[str, int]]]:
    return {p.category: p.values for p in result}


def test_patterns_count_entries_per_category_and_value(app, make_user, make_couple, log_exception):
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    log_exception(a, D1, tags=[("activity", "a walk"), ("time", "evening")])
    log_exception(a, D2, tags=[("activity", "a walk"), ("time", "morning")])
    log_exception(b, D3, tags=[("activity", "cooking together"), ("time", "evening")])
    entry = log_exception(b, D4)
    tag_entry(clinician, couple.id, entry.id, "activity", "a walk")
    tag_entry(clinician, couple.id, entry.id, "place", "outdoors")
    other = make_couple(clinician)
    log_exception(other.partners[0], D1, tags=[("activity", "a walk")])  # another couple's

    result = progress.patterns(couple.id)

    assert [p.category for p in result] == list(TAG_CATEGORIES)
    assert [p.label for p in result] == list(TAG_CATEGORIES.values())
    assert _counts(result) == {
        "activity": [("a walk", 3), ("cooking together", 1)],
        "time": [("evening", 2), ("morning", 1)],
        "place": [("outdoors", 1)],
        "initiator": [],
    }


def test_patterns_for_some_partners_only(app, make_user, make_couple, log_exception):
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    log_exception(a, D1, tags=[("activity", "a walk")])
    log_exception(b, D2, tags=[("activity", "shopping")])

    assert _counts(progress.patterns(couple.id, partner_ids=[b.id]))["activity"] == [("shopping", 1)]


def test_patterns_count_a_value_once_whatever_its_case(app, make_user, make_couple, log_exception):
    """A tag is the same condition in any case (adding "A walk" to an entry tagged "a walk" adds
    nothing), so the counts group it the same way."""
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    log_exception(a, D1, tags=[("activity", "a walk")])
    log_exception(a, D2, tags=[("activity", "a walk")])
    entry = log_exception(b, D3)
    tag_entry(clinician, couple.id, entry.id, "activity", "A Walk")

    assert _counts(progress.patterns(couple.id))["activity"] == [("a walk", 3)]
