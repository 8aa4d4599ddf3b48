"""The reports pages over HTTP: who reaches what, the form's errors, the audit, and what a supervisor
can never reach (any chart, note or submission)."""

import html

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.extensions import db
from clinic.reports.models import Supervision

from .conftest import SINCE, UNTIL, set_columns

PERIOD = {"since": SINCE.isoformat(), "until": UNTIL.isoformat()}


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _events(action: str = "report.generate") -> list[AuditEvent]:
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ))


# --- who reaches the reports ----------------------------------------------------------------------


def test_a_clinician_gets_404_everywhere_under_reports(world, signed_in):
    browser = signed_in(world.ruth)
    pair = db.session.scalars(sa.select(Supervision)).first()

    for url in ("/reports/", f"/reports/?since={SINCE}&until={UNTIL}",
                f"/reports/report.csv?since={SINCE}&until={UNTIL}",
                f"/reports/report.pdf?since={SINCE}&until={UNTIL}&clinician_id={world.ruth.id}",
                "/reports/supervision"):
        assert browser.get(url).status_code == 404, url
    for url in ("/reports/supervision", f"/reports/supervision/{pair.id}/remove"):
        assert browser.post(url, data={}).status_code == 404, url
    assert _events() == []


def test_signed_out_visitors_are_sent_to_sign_in(app):
    response = app.test_client().get("/reports/report.csv", query_string=PERIOD)

    assert response.status_code == 302 and response.location.startswith("/auth/login")


def test_a_supervisor_lands_on_reports(world, signed_in):
    response = signed_in(world.sam).get("/")

    assert response.status_code == 302 and response.location == "/reports/"


def test_the_empty_form_shows_no_report_and_audits_nothing(world, signed_in):
    response = signed_in(world.owner).get("/reports/")

    body = page(response)
    assert response.status_code == 200
    assert "Show report" in body and "Download CSV" not in body
    assert _events() == []


# --- the page -------------------------------------------------------------------------------------


def test_the_owner_sees_the_whole_practice_de_identified(world, signed_in):
    response = signed_in(world.owner).get("/reports/", query_string=PERIOD)

    body = page(response)
    assert response.status_code == 200
    assert "Whole practice" in body
    for key in ("X1", "X2", "X3", "X4", "Y1"):
        assert world.couples[key].pseudonym in body
    assert world.couples["X5"].pseudonym not in body
    leaked = [s for s in world.secrets if s in body]
    assert not leaked
    assert "<dt>Completion</dt><dd>38%</dd>" in body
    assert "<dt>Couples up 2+ points</dt><dd>3</dd>" in body
    assert "/reports/report.csv?since=2025-02-03&amp;until=2025-03-02" in response.get_data(as_text=True)
    [event] = _events()
    assert event.detail == {"format": "page", "identified": False, "clinician": None, **PERIOD}


@pytest.mark.parametrize("extra", [{"fmt": "csv"}, {"_external": "1"}, {"_anchor": "x"}, {"q": "Jing"}])
def test_the_download_links_carry_only_the_forms_fields(world, signed_in, extra):
    response = signed_in(world.owner).get(
        "/reports/", query_string={**PERIOD, "clinician_id": world.ruth.id, **extra}
    )

    assert response.status_code == 200
    query = f"since=2025-02-03&amp;until=2025-03-02&amp;clinician_id={world.ruth.id}"
    assert f'href="/reports/report.pdf?{query}"' in response.get_data(as_text=True)


def test_a_supervisor_sees_only_their_supervisees(world, signed_in):
    browser = signed_in(world.sam)

    response = browser.get("/reports/", query_string=PERIOD)

    body = page(response)
    assert response.status_code == 200
    assert "All my supervisees" in body
    assert world.couples["X1"].pseudonym in body and world.couples["Y1"].pseudonym not in body
    assert "Colin Colleague" not in body  # not even in the clinician choices
    assert f'<option value="{world.ruth.id}">Dr Ruth Amsel</option>' in body
    assert "Include names" not in body and "Who supervises whom" not in body
    assert not [s for s in world.secrets if s in body]


@pytest.mark.parametrize("url", ["/reports/", "/reports/report.csv", "/reports/report.pdf"])
def test_a_supervisor_cannot_see_a_clinician_they_do_not_supervise(world, signed_in, url):
    browser = signed_in(world.sam)

    for clinician in (world.colin, world.owner, world.elsewhere_clinician, world.sue):
        response = browser.get(url, query_string={**PERIOD, "clinician_id": clinician.id})
        assert response.status_code == 404, clinician.name
    assert _events() == []


def test_a_supervisor_cannot_ask_for_names_on_the_page(world, signed_in):
    response = signed_in(world.sam).get("/reports/", query_string={**PERIOD, "identified": "y"})

    body = page(response)
    assert response.status_code == 200
    assert "Only the practice owner can include names." in body
    assert world.couples["X1"].pseudonym not in body and "Jing Chen" not in body
    assert _events() == []


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_a_supervisor_cannot_download_names(world, signed_in, fmt):
    browser = signed_in(world.sam)

    response = browser.get(f"/reports/report.{fmt}", query_string={**PERIOD, "identified": "y"})

    assert response.status_code == 302 and response.location == "/reports/"
    assert "Only the practice owner can include names." in page(browser.get("/reports/"))
    assert _events() == []


def test_a_reversed_range_is_an_error_on_the_until_field(world, signed_in):
    browser = signed_in(world.owner)
    reversed_range = {"since": UNTIL.isoformat(), "until": SINCE.isoformat()}

    body = page(browser.get("/reports/", query_string=reversed_range))
    download = browser.get("/reports/report.csv", query_string=reversed_range)

    assert 'id="until-error">The end date is before the start date.' in body
    assert download.status_code == 302 and download.location == "/reports/"
    assert _events() == []


@pytest.mark.parametrize(
    "query", [{}, {"since": "2025-02-03"}, {"since": "yesterday", "until": "2025-03-02"}]
)
def test_a_download_without_dates_goes_back_to_the_form(world, signed_in, query):
    browser = signed_in(world.owner)

    response = browser.get("/reports/report.pdf", query_string=query)

    assert response.status_code == 302 and response.location == "/reports/"
    assert "Choose a start and an end date" in page(browser.get("/reports/"))
    assert _events() == []


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_every_download_is_audited_with_its_format(world, signed_in, fmt):
    response = signed_in(world.sue).get(f"/reports/report.{fmt}", query_string=PERIOD)

    assert response.status_code == 200
    data = response.get_data()
    assert data.startswith(b"%PDF") if fmt == "pdf" else data.startswith(b"section,subject,measure,value\r\n")
    assert response.mimetype == ("application/pdf" if fmt == "pdf" else "text/csv")
    [event] = _events()
    assert (event.actor_user_id, event.practice_id) == (world.sue.id, world.practice.id)
    assert event.detail == {"format": fmt, "identified": False, "clinician": None, **PERIOD}


@pytest.mark.config(SQLITE_BUSY_TIMEOUT_MS=300)
def test_others_can_write_while_a_csv_downloads(world, signed_in, monkeypatch):
    """On SQLite every transaction is BEGIN IMMEDIATE (clinic/database.py): a stream that kept its
    read transaction open would hold the write lock for as long as the client takes to download."""
    from clinic.couples.models import Couple

    monkeypatch.setattr("clinic.reports.report.BATCH", 2)
    response = signed_in(world.owner).get("/reports/report.csv", query_string=PERIOD, buffered=False)
    try:
        chunks = iter(response.response)
        while not next(chunks).startswith(b"couple,"):  # the first batch of couples has been read
            pass
        set_columns(Couple, world.couples["X1"].id, case_label="Renamed while the report downloads")
        rest = b"".join(chunks)  # the next batches are read after the write
    finally:
        response.close()
    assert db.session.get(Couple, world.couples["X1"].id).case_label.startswith("Renamed")
    assert rest.count(b"clinician,") == 5 - 1 and rest.endswith(b"couples up 2 or more points,3\r\n")


# --- a supervisor never reaches client material ---------------------------------------------------

CHART_BLUEPRINTS = ("couples.", "exercises.", "records.", "notes.", "portal.", "audit.", "safety.")
OPEN_PORTAL = {"portal.open", "portal.continue_", "portal.ended"}
TEAM = {"practice.team", "practice.create", "practice.edit"}


def _chart_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules()
         if (rule.endpoint.startswith(CHART_BLUEPRINTS) and rule.endpoint not in OPEN_PORTAL)
         or rule.endpoint in TEAM),
        key=lambda rule: rule.rule,
    )


def test_a_supervisor_reaches_no_chart_note_or_submission(app, world, signed_in):
    from clinic.records.services import tag_entry
    from clinic.safety.checkins import offer_checkin

    entry = world.entries[1]
    tag = tag_entry(world.ruth, world.couples["X1"].id, entry.id, "activity", "Tango in the hallway")
    checkin = offer_checkin(world.ruth, world.couples["X1"].id, world.partner("X1", "A").id)
    params = {
        "checkin_id": checkin.id,
        "couple_id": world.couples["X1"].id,
        "partner_id": world.partner("X1", "A").id,
        "assignment_id": world.assignments["A1"].id,
        "submission_id": world.submissions["A1"].id,
        "note_id": world.notes[0].id,
        "entry_id": entry.id,
        "record_id": entry.id,
        "item_id": entry.id,
        "tag_id": tag.id,
        "user_id": world.ruth.id,
        "kind": "exception",
    }
    secrets = [*world.secrets, "Tango in the hallway", "Harbour Lane Practice", "jing.chen"]
    browser = signed_in(world.sam)
    rules = _chart_rules(app)
    reached = []

    for rule in rules:
        url = rule.build({arg: params[arg] for arg in rule.arguments})[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = browser.open(url, method=method, data={} if method == "POST" else None)
            status, body = response.status_code, page(response)
            where = f"{method} {url} ({rule.endpoint}): {status}"
            if status in (301, 302, 303, 307, 308):
                if response.location.split("?")[0] == url:
                    reached.append(f"{where} redirects to itself")
                body += page(browser.get(response.location))  # and where it leads shows nothing
            elif status == 401 and rule.endpoint.startswith("portal.") and method == "POST":
                pass  # "your text is safe, open your link again": the empty form, nothing else
            elif status != 404:
                reached.append(where)
            leaked = [s for s in secrets if s in body]
            if leaked:
                reached.append(f"{where} shows {leaked}")

    assert not reached, "\n".join(reached)
    endpoints = {rule.endpoint for rule in rules}
    assert {"couples.detail", "notes.detail", "notes.pdf", "exercises.submission", "records.timeline",
            "portal.home", "portal.submission", "audit.index", "practice.team", "practice.edit"} <= endpoints
    assert db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.actor_user_id == world.sam.id)
    ).all() == ["auth.login"]  # nothing was opened, so nothing was read


# --- who supervises whom --------------------------------------------------------------------------


def test_the_owner_adds_and_removes_a_supervision_pair(world, signed_in):
    browser = signed_in(world.owner)

    listing = page(browser.get("/reports/supervision"))
    added = browser.post("/reports/supervision",
                         data={"supervisor_id": world.nina.id, "clinician_id": world.colin.id})

    assert "<td>Sam Supervisor</td><td>Dr Ruth Amsel</td>" in listing
    assert added.status_code == 302 and added.location == "/reports/supervision"
    pair = db.session.scalar(sa.select(Supervision).where(Supervision.supervisor_id == world.nina.id))
    assert pair.clinician_id == world.colin.id and pair.created_by_id == world.owner.id
    assert "<td>Nina Nobody</td><td>Colin Colleague</td>" in page(browser.get("/reports/supervision"))
    pair_id = pair.id
    removed = browser.post(f"/reports/supervision/{pair_id}/remove")
    assert removed.status_code == 302
    assert db.session.scalar(sa.select(Supervision.id).where(Supervision.id == pair_id)) is None
    assert [e.action for e in _events("supervision.add")] == ["supervision.add"] * 3
    assert len(_events("supervision.remove")) == 1


def test_a_duplicate_pair_is_a_field_error(world, signed_in):
    response = signed_in(world.owner).post(
        "/reports/supervision", data={"supervisor_id": world.sam.id, "clinician_id": world.ruth.id}
    )

    assert response.status_code == 200
    assert "This supervisor already reads this clinician" in page(response)


@pytest.mark.parametrize("who", ["sam", "ruth", "elsewhere_owner"])
def test_only_the_owner_of_the_practice_manages_pairs(world, signed_in, who):
    browser = signed_in(getattr(world, who))
    pair = db.session.scalars(sa.select(Supervision)).first()

    removed = browser.post(f"/reports/supervision/{pair.id}/remove")
    added = browser.post("/reports/supervision",
                         data={"supervisor_id": world.nina.id, "clinician_id": world.ruth.id})

    assert removed.status_code == 404
    assert added.status_code == (200 if who == "elsewhere_owner" else 404)  # their own page: an error
    assert db.session.scalar(sa.select(sa.func.count(Supervision.id))) == 2


def test_a_clinicians_name_in_the_reports_heading_is_text_not_markup(world, signed_in):
    from clinic.auth.models import User

    db.session.execute(sa.update(User).where(User.id == world.ruth.id)
                       .values(name='Dr <b id="x">Ruth</b> 100%'))
    db.session.commit()

    response = signed_in(world.owner).get(
        "/reports/", query_string={**PERIOD, "clinician_id": world.ruth.id}
    )

    raw = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<b id="x">' not in raw
    assert "Dr &lt;b id=&#34;x&#34;&gt;Ruth&lt;/b&gt; 100%" in raw
