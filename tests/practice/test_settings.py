"""The practice's time zone, hours and reminder defaults: set by the owner, used by every page."""

import html
from datetime import UTC, datetime, time

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.practice.hours import hours_of
from clinic.practice.models import Practice
from clinic.practice.services import PracticeSettings, practice_settings, update_settings

GOOD = {
    "timezone": "Asia/Shanghai", "opens_at": "08:30", "closes_at": "18:00",
    "open_days": ["1", "2", "3", "4", "5", "6"], "remind_days_before": "3",
    "remind_on_due_day": "y", "remind_overdue_days": "",
}


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def owner(make_user, make_practice):
    return make_user(make_practice("Harbour Lane"), role="owner")


def test_a_new_practice_has_sensible_defaults(owner):
    assert practice_settings(owner) == PracticeSettings(
        timezone="UTC", opens_at=time(9), closes_at=time(17), open_days="12345",
        remind_days_before=2, remind_on_due_day=True, remind_overdue_days=1,
    )


def test_the_owner_saves_the_settings_and_the_change_is_audited(owner, signed_in):
    browser = signed_in(owner)

    response = browser.post("/practice/settings", data=GOOD, follow_redirects=True)

    assert response.status_code == 200
    assert "The practice settings are saved." in page(response)
    assert practice_settings(owner) == PracticeSettings(
        timezone="Asia/Shanghai", opens_at=time(8, 30), closes_at=time(18), open_days="123456",
        remind_days_before=3, remind_on_due_day=True, remind_overdue_days=None,
    )
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "practice.settings")).one()
    assert set(event.detail["changed"]) == {
        "timezone", "opens_at", "closes_at", "open_days", "remind_days_before", "remind_overdue_days",
    }
    # The form shows what is stored.
    body = page(browser.get("/practice/settings"))
    assert 'value="Asia/Shanghai"' in body and 'value="08:30"' in body
    assert 'id="open_days-6" value="6" checked' in body and 'id="open_days-7" value="7">' in body


@pytest.mark.parametrize("field, value, message", [
    ("timezone", "Mars/Olympus_Mons", "Choose a time zone from the list"),
    ("timezone", "../../etc/passwd", "Choose a time zone from the list"),
    ("closes_at", "08:00", "Closing time must be after opening time."),
    ("remind_days_before", "30", "Number must be between 1 and 14."),
    ("opens_at", "25:99", "Not a valid time value."),
])
def test_bad_settings_are_refused_beside_the_field_and_keep_what_was_typed(
    owner, signed_in, field, value, message
):
    response = signed_in(owner).post("/practice/settings", data={**GOOD, field: value})

    assert response.status_code == 422
    body = page(response)
    assert f'id="{field}-error">{message}' in body
    assert f'value="{value}"' in body
    assert practice_settings(owner).timezone == "UTC"


def test_a_practice_with_no_open_day_is_refused(owner, signed_in):
    response = signed_in(owner).post("/practice/settings", data={**GOOD, "open_days": []})

    assert response.status_code == 422
    assert "Choose at least one day the practice is open." in page(response)


def test_only_the_owner_changes_settings(owner, make_user):
    clinician = make_user(owner.practice)
    data = PracticeSettings(**{**practice_settings(owner).__dict__, "timezone": "Europe/Berlin"})

    with pytest.raises(Exception) as refused:
        update_settings(clinician, data)
    assert refused.value.code == 404
    with pytest.raises(DomainError):
        update_settings(owner, PracticeSettings(**{**data.__dict__, "open_days": "89"}))


def test_hours_are_read_in_the_practices_own_zone(owner):
    update_settings(owner, PracticeSettings(
        timezone="Asia/Shanghai", opens_at=time(9), closes_at=time(17), open_days="12345",
        remind_days_before=2, remind_on_due_day=True, remind_overdue_days=1,
    ))
    hours = hours_of(db.session.get(Practice, owner.practice_id))

    # 00:30 UTC on Monday is 08:30 in Shanghai: not yet open; 01:00 UTC is 09:00: open.
    assert not hours.is_open(datetime(2026, 11, 2, 0, 30, tzinfo=UTC))
    assert hours.is_open(datetime(2026, 11, 2, 1, 0, tzinfo=UTC))
    # 09:30 UTC on Friday is 17:30 in Shanghai: closed; Sunday 16:30 UTC is Monday 00:30 there.
    assert not hours.is_open(datetime(2026, 11, 6, 9, 30, tzinfo=UTC))
    assert hours.today(datetime(2026, 11, 8, 16, 30, tzinfo=UTC)).isoformat() == "2026-11-09"


def test_pages_show_moments_in_the_practices_zone(owner, make_user, make_couple, place, signed_in):
    from datetime import date

    from clinic.records.models import ScalePlacement

    clinician = make_user(owner.practice)
    couple = make_couple(clinician, label="Zone couple")
    placement = place(couple.partners[0], date(2026, 11, 2), 6)
    # Sent at 23:30 UTC on 1 November: already 2 November, 07:30, in Shanghai.
    placement.created_at = datetime(2026, 11, 1, 23, 30, tzinfo=UTC)
    db.session.commit()
    browser = signed_in(clinician)
    assert "2026-11-01 23:30" in page(browser.get("/inbox/"))

    update_settings(owner, PracticeSettings(**{**practice_settings(owner).__dict__,
                                               "timezone": "Asia/Shanghai"}))

    body = page(browser.get("/inbox/"))
    assert "2026-11-02 07:30" in body and "2026-11-01 23:30" not in body
    assert db.session.get(ScalePlacement, placement.id) is not None


def test_settings_are_owner_only_in_the_navigation(owner, make_user, signed_in):
    assert 'href="/practice/settings"' in page(signed_in(owner).get("/practice/"))
    clinician = make_user(owner.practice)
    assert 'href="/practice/settings"' not in page(signed_in(clinician).get("/practice/"))
    assert signed_in(clinician).get("/practice/settings").status_code == 404
