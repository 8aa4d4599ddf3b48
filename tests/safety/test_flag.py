"""The clinician-only safety flag: set and cleared with reasons, audited, shown to clinicians,
never to either partner; while it stands, joint work and sharing follow the practice's policy."""

import html
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from clinic.audit.models import AuditEvent
from clinic.errors import DomainError
from clinic.exercises.services import AssignmentRequest, assign_exercises, save_answers
from clinic.extensions import db
from clinic.inputs import without_control
from clinic.safety import services as safety
from tests import html_forms

CANARY = "CANARY-FLAG-REASON-7Q"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_flag_is_set_and_cleared_with_reasons_and_keeps_its_history(family):
    flag = safety.set_flag(family.clinician, family.couple.id, f"  {CANARY}  ", partner_id=family.a.id)
    assert (flag.reason, flag.partner_id, flag.set_by_id) == (CANARY, family.a.id, family.clinician.id)
    with pytest.raises(DomainError):
        safety.set_flag(family.clinician, family.couple.id, "again")
    with pytest.raises(DomainError):
        safety.clear_flag(family.clinician, family.couple.id, "   ")

    safety.clear_flag(family.clinician, family.couple.id, "Seen each alone; no fear reported")

    view = safety.couple_safety(family.clinician, family.couple.id)
    assert view.flag is None
    [old] = view.history
    assert (old.reason, old.partner_name, old.clear_reason) == (
        CANARY, "Chen Jing", "Seen each alone; no fear reported")
    assert actions()[-2:] == ["safety.flag_set", "safety.flag_clear"]
    # The audit trail keeps ids, never the reason's words.
    details = db.session.scalars(sa.select(AuditEvent.detail).where(AuditEvent.action.like("safety.%")))
    assert all(CANARY not in str(d) for d in details)
    with pytest.raises(DomainError):
        safety.clear_flag(family.clinician, family.couple.id, "nothing to clear")


def test_a_flag_is_refused_without_a_reason_and_outside_the_caseload(family, make_user, make_practice):
    with pytest.raises(DomainError):
        safety.set_flag(family.clinician, family.couple.id, "  ")
    with pytest.raises(NotFound):
        safety.set_flag(make_user(family.practice), family.couple.id, "not my couple")
    with pytest.raises(NotFound):
        safety.set_flag(make_user(make_practice()), family.couple.id, "other practice")
    with pytest.raises(NotFound):
        safety.set_flag(family.clinician, family.couple.id, "x", partner_id=10_000)
    assert safety.open_flag(family.couple.id) is None


def test_couple_page_banner_caseload_mark_and_forms(family, signed_in):
    browser = signed_in(family.clinician)
    assert "Set a safety flag" in text(browser.get(f"/couples/{family.couple.id}"))
    response = browser.post(f"/safety/couples/{family.couple.id}/flag",
                            data={"partner": str(family.b.id), "reason": CANARY})
    assert response.status_code == 302

    page = text(browser.get(f"/couples/{family.couple.id}"))
    assert 'id="safety-flag"' in page and CANARY in page and "concerning Wang Hao" in page
    assert "Clear the safety flag" in page
    assert "⚑" in text(browser.get("/couples/"))

    browser.post(f"/safety/couples/{family.couple.id}/flag/clear", data={"clear_reason": "Resolved"})
    page = text(browser.get(f"/couples/{family.couple.id}"))
    assert 'id="safety-flag"' not in page and "Earlier flags" in page
    assert "⚑" not in text(browser.get("/couples/"))


def test_neither_partners_portal_shows_anything_of_the_flag(family, portal_client):
    safety.set_flag(family.clinician, family.couple.id, CANARY, partner_id=family.a.id)
    for partner in (family.a, family.b):
        browser = portal_client(partner)
        for path in ("/portal/", "/portal/entries", "/portal/add/exception"):
            page = text(browser.get(path))
            assert CANARY not in page and "safety flag" not in page.lower(), (partner.position, path)


def test_joint_work_needs_confirmation_under_a_flag(family):
    safety.set_flag(family.clinician, family.couple.id, CANARY)
    joint = [AssignmentRequest("listening-practice", "joint")]
    with pytest.raises(DomainError) as refused:
        assign_exercises(family.clinician, family.couple.id, joint)
    assert refused.value.field == "confirm_joint"
    # Individual work is unaffected.
    assign_exercises(family.clinician, family.couple.id, [AssignmentRequest("miracle-question", "each")])

    [made] = assign_exercises(family.clinician, family.couple.id, joint, confirmed_joint=True)
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "assignment", AuditEvent.object_id == made.id)
    ).one()
    assert event.detail["confirmed_under_safety_flag"] is True


def test_the_off_policy_refuses_joint_work_and_keeps_every_share(family, log_exception, portal_client):
    safety.set_sharing_policy(family.owner, "off", False)
    safety.set_flag(family.clinician, family.couple.id, CANARY)
    with pytest.raises(DomainError):
        assign_exercises(family.clinician, family.couple.id,
                         [AssignmentRequest("listening-practice", "joint")], confirmed_joint=True)
    entry = log_exception(family.a, date(2026, 11, 20), "SHARED-MOMENT-OF-A", shared=True)
    assert "SHARED-MOMENT-OF-A" not in text(portal_client(family.b).get("/portal/entries"))
    with pytest.raises(DomainError):
        safety.release_share(family.clinician, family.couple.id, "exception", entry.id,
                             {("exception", entry.id)})


def test_the_assign_page_asks_for_the_confirmation(family, signed_in):
    safety.set_flag(family.clinician, family.couple.id, CANARY)
    browser = signed_in(family.clinician)
    url = f"/exercises/couples/{family.couple.id}/assign"
    assert "I have considered the safety flag" in text(browser.get(url))
    form = {"rows-0-key": "listening-practice", "rows-0-pick": "y", "rows-0-target": "joint"}
    refused = browser.post(url, data=form)
    assert refused.status_code == 422
    assert "joint exercises need your confirmation" in text(refused)
    assert browser.post(url, data={**form, "confirm_joint": "y"}).status_code == 302


def test_shares_wait_for_the_clinician_under_a_flag(family, log_exception, place, portal_client, signed_in):
    entry = log_exception(family.a, date(2026, 11, 20), "SHARED-MOMENT-OF-A", shared=True)
    [hope] = assign_exercises(family.clinician, family.couple.id, [AssignmentRequest("hope-question", "A")])
    sub = save_answers(family.a, hope.id, {"a_little_better": "SHARED-ANSWER-OF-A", "first_noticed": ""},
                       submit=True, shared=True)
    other = portal_client(family.b)
    assert "SHARED-MOMENT-OF-A" in text(other.get("/portal/entries"))
    assert other.get(f"/portal/sent/{sub.id}").status_code == 200

    safety.set_flag(family.clinician, family.couple.id, CANARY)

    assert "SHARED-MOMENT-OF-A" not in text(other.get("/portal/entries"))
    assert other.get(f"/portal/sent/{sub.id}").status_code == 404
    # The writer still sees their own.
    assert "SHARED-MOMENT-OF-A" in text(portal_client(family.a).get("/portal/entries"))
    clinic = signed_in(family.clinician)
    page = text(clinic.get(f"/couples/{family.couple.id}"))
    assert "Shared, waiting for you" in page and page.count("Let it through") == 2

    clinic.post(f"/safety/couples/{family.couple.id}/release/exception/{entry.id}")

    assert "SHARED-MOMENT-OF-A" in text(other.get("/portal/entries"))
    assert other.get(f"/portal/sent/{sub.id}").status_code == 404
    assert text(clinic.get(f"/couples/{family.couple.id}")).count("Let it through") == 1
    assert "safety.share_release" in actions()
    # Releasing something not held (or of another couple) finds nothing.
    assert clinic.post(f"/safety/couples/{family.couple.id}/release/exception/{entry.id}").status_code == 404


def test_the_note_editor_reminds_before_citing_under_a_flag(family, signed_in):
    browser = signed_in(family.clinician)
    assert "safety-cite-reminder" not in text(browser.get(f"/notes/couples/{family.couple.id}/new"))
    safety.set_flag(family.clinician, family.couple.id, CANARY)
    page = text(browser.get(f"/notes/couples/{family.couple.id}/new"))
    assert "safety-cite-reminder" in page and "Before citing one partner" in page


def test_only_owners_change_the_policy(family, signed_in):
    with pytest.raises(NotFound):
        safety.set_sharing_policy(family.clinician, "off", False)
    owner = signed_in(family.owner)
    assert owner.post("/safety/settings", data={"policy": "off"}).status_code == 302
    assert safety.settings_for(family.practice.id).sharing_policy == "off"
    assert owner.post("/safety/settings", data={"policy": "sometimes"}).status_code == 422


@pytest.mark.parametrize(("path", "field", "typed", "message"), [
    ("flag", "reason", "He took her phone\x00 again", "control characters"),
    ("flag", "reason", "", "Say why, in a few words"),
    ("flag/clear", "clear_reason", "Spoke with both\x07 today", "control characters"),
])
def test_a_flag_form_refused_comes_back_with_what_was_typed(family, signed_in, path, field, typed, message):
    browser = signed_in(family.clinician)
    if path == "flag/clear":
        safety.set_flag(family.clinician, family.couple.id, "Raised voices")

    response = browser.post(f"/safety/couples/{family.couple.id}/{path}", data={field: typed})

    assert response.status_code == 422
    assert message in text(response)
    shown = [f.value for f in html_forms.fields(response.get_data(as_text=True)) if f.name == field]
    assert shown == [without_control(typed)]
    assert (safety.open_flag(family.couple.id) is None) == (path == "flag")
