"""The whole loop, as people would walk it, in real Chromium against the live server.

The owner adds a clinician and lets the supervisor read their reports; the clinician adds a
couple, assigns exercises and makes both partners' links; partner A works on a phone (a draft,
a submission, a private exception entry, a private scale placement); partner B, on another
phone, sees none of it; the clinician reviews the submission, writes a note pre-filled from the
record, sees the language check flag a deficit phrase, signs it and downloads its PDF; the
supervisor's de-identified report (page, PDF, CSV) names nobody and quotes nothing.
Every page on the way is checked with `check_page` (screenshot, no sideways scroll, axe).
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from clinic.timeutil import utcnow
from tests.account_links import account_link

pytestmark = pytest.mark.browser

LABEL = "Chen & Wang"
A_NAME, B_NAME = "Chen Jing", "Wang Hao"
A_EMAIL, B_EMAIL = "chen.jing@example.net", "wang.hao@example.net"
CLINICIAN = {"name": "Dr Zhou Min", "email": "zhou.min@example.org", "password": "lantern orchard 42"}
SUPERVISOR_NAME = "Dr Ho Wen"
MIRACLE = {
    "first_sign": "The radio is playing our old song when I wake.",
    "i_do": "I make two cups of jasmine tea without being asked.",
    "partner_does": "Hao hums along and stays for breakfast.",
    "together": "Unhurried, teasing each other about the crossword.",
    "miracle_day": "Tea, the crossword on the balcony, dumplings with his sister at night.",
}
MOMENT = "We walked the long way home along the canal and planned the Qingdao trip."
ONE_HIGHER = "We would fold the laundry together on Sunday."
DEFICIT = "She is anxious about the week ahead."
CONFIDENTIAL = (
    A_NAME, B_NAME, LABEL, A_EMAIL, B_EMAIL, MOMENT, ONE_HIGHER, *MIRACLE.values(),
    # single words too, in case a PDF's text extraction breaks a phrase
    "Chen", "Wang", "example.net", "Qingdao", "canal", "jasmine", "crossword", "laundry",
)
MY_PROGRESS = re.compile(r"^My (log|progress)$")


@pytest.fixture
def practice(make_user, settle_db):
    owner = make_user(role="owner", name="Dr Lin Mei")
    supervisor = make_user(practice=owner.practice, role="supervisor", name=SUPERVISOR_NAME)
    info = {"owner": owner.email, "supervisor": supervisor.email}
    settle_db()
    return info


def flash(page, text: str):
    return page.get_by_role("status").filter(has_text=text)


def nav(page, name: str):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(f"^{name}"))


def squash(text: str) -> str:
    """One space between words: a PDF's text comes back broken into lines."""
    return " ".join(text.split())


def pdf_text(path) -> str:
    return squash(" ".join(page.extract_text() or "" for page in PdfReader(path).pages))


def download(page, link, tmp_path, name: str):
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / name
    info.value.save_as(saved)
    assert info.value.failure() is None
    return saved


def make_link(page, partner: str, check_page=None) -> str:
    """On the couple page: "Make a link", copy it (button and clipboard), back to the couple."""
    page.get_by_role("button", name=f"Make a link for {partner}").click()
    expect(page.get_by_role("heading", level=1, name=f"{partner}'s personal link")).to_be_visible()
    field = page.locator("#portal-link")
    expect(field).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/portal/l/[\w-]{20,}$"))
    link = field.input_value()
    if check_page:
        check_page(page, "loop-clinician-link")
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator(".copy-status")).to_have_text("Copied.")
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    page.get_by_role("link", name=f"← {LABEL}").click()
    expect(page.get_by_role("heading", level=1, name=LABEL)).to_be_visible()
    return link


def open_portal(page, link: str, name: str, check_page):
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="Welcome")).to_be_visible()
    check_page(page, f"loop-portal-open-{name}")
    page.get_by_role("button", name="Continue").tap()
    expect(page).to_have_url(re.compile(r"/portal/$"))


def assert_none_of(text: str, secrets, where: str) -> None:
    flat = squash(text)
    leaked = [s for s in secrets if s in flat]
    assert not leaked, f"{where} shows {leaked}"


def test_the_whole_loop(
    live_server, practice, desktop_context, phone_context, sign_in, check_page, tmp_path, delivered
):
    today = utcnow().date()

    # 1. The owner adds a clinician through the Team page and sets up supervision.
    owner = desktop_context().new_page()
    sign_in(owner, practice["owner"])
    expect(owner.get_by_role("heading", level=1, name="Caseload")).to_be_visible()
    check_page(owner, "loop-owner-caseload")
    nav(owner, "Team").click()
    expect(owner.get_by_role("heading", level=1, name="Team")).to_be_visible()
    check_page(owner, "loop-owner-team")
    owner.get_by_role("link", name="Invite a person").click()
    heading = owner.get_by_role("heading", level=1, name="Invite a clinician, supervisor or owner")
    expect(heading).to_be_visible()
    check_page(owner, "loop-owner-add-person")
    owner.get_by_label("Full name").fill(CLINICIAN["name"])
    owner.get_by_label("Email").fill(CLINICIAN["email"])
    owner.get_by_label("Role").select_option("clinician")
    owner.get_by_role("button", name="Send the invitation").click()
    expect(flash(owner, f"{CLINICIAN['name']} is invited")).to_be_visible()
    expect(owner.get_by_role("row").filter(has_text=CLINICIAN["email"])).to_contain_text("Invited")
    check_page(owner, "loop-owner-team-added")

    nav(owner, "Reports").click()
    expect(owner.get_by_role("heading", level=1, name="Supervision reports")).to_be_visible()
    check_page(owner, "loop-owner-reports")
    owner.get_by_role("link", name="Who supervises whom").click()
    expect(owner.get_by_role("heading", level=1, name="Who supervises whom")).to_be_visible()
    check_page(owner, "loop-owner-supervision")
    owner.get_by_label("Supervisor").select_option(label=SUPERVISOR_NAME)
    owner.get_by_label("Reads the reports of").select_option(label=CLINICIAN["name"])
    owner.get_by_role("button", name="Add", exact=True).click()
    expect(flash(owner, "Saved.")).to_be_visible()
    pair = owner.get_by_role("row").filter(has_text=SUPERVISOR_NAME)
    expect(pair).to_contain_text(CLINICIAN["name"])
    check_page(owner, "loop-owner-supervision-set")

    # 2. The clinician adds the couple, assigns exercises and makes both links.
    clinic_context = desktop_context(permissions=["clipboard-read", "clipboard-write"])
    clinic = clinic_context.new_page()
    # The invitation arrives by mail; its link lets the clinician choose a password.
    [invitation] = delivered(1)
    path, _token = account_link(invitation)
    clinic.goto(path)
    clinic.get_by_label("New password").fill(CLINICIAN["password"])
    clinic.get_by_role("button", name="Save my password").click()
    expect(clinic.get_by_role("heading", level=1, name="Caseload")).to_be_visible()
    check_page(clinic, "loop-clinician-caseload-empty")
    clinic.get_by_role("link", name="Add a couple").click()
    expect(clinic.get_by_role("heading", level=1, name="Add a couple")).to_be_visible()
    check_page(clinic, "loop-clinician-add-couple")
    clinic.get_by_label("Case label").fill(LABEL)
    for legend, name, email in (("Partner A", A_NAME, A_EMAIL), ("Partner B", B_NAME, B_EMAIL)):
        group = clinic.get_by_role("group", name=legend)
        group.get_by_label("Full name").fill(name)
        group.get_by_label("Email").fill(email)
    clinic.get_by_role("button", name="Add couple").click()
    expect(clinic.get_by_role("heading", level=1, name=LABEL)).to_be_visible()
    couple_url = clinic.url
    assert re.search(r"/couples/\d+$", couple_url), couple_url
    check_page(clinic, "loop-clinician-couple-new")

    clinic.get_by_role("link", name="Assign exercises").click()
    expect(clinic.get_by_role("heading", level=1, name="Assign exercises")).to_be_visible()
    check_page(clinic, "loop-clinician-assign")
    rows = clinic.locator("fieldset.assign-row")
    miracle_row = rows.filter(has=clinic.get_by_label("The miracle question", exact=True))
    miracle_row.get_by_label("The miracle question", exact=True).check()
    miracle_row.get_by_label("Who").select_option("A")
    log_row = rows.filter(has=clinic.get_by_label("Exception log", exact=True))
    log_row.get_by_label("Exception log", exact=True).check()
    log_row.get_by_label("Who").select_option("each")
    clinic.get_by_role("button", name="Assign the ticked exercises").click()
    expect(flash(clinic, "3 assignments added.")).to_be_visible()
    exercises = clinic.get_by_role("region", name="Exercises")
    expect(exercises.get_by_role("listitem")).to_have_count(3)
    expect(exercises.get_by_role("listitem").filter(has_text="The miracle question")).to_contain_text(A_NAME)
    check_page(clinic, "loop-clinician-couple-assigned")

    link_a = make_link(clinic, A_NAME, check_page)
    link_b = make_link(clinic, B_NAME)
    assert link_a != link_b

    # 3. Partner A, on a phone: a draft, a submission, a private moment, a private placement.
    a = phone_context().new_page()
    open_portal(a, link_a, "a", check_page)
    expect(a.get_by_text(f"Hello, {A_NAME}")).to_be_visible()
    todo = a.get_by_role("region", name="To do")
    task = todo.get_by_role("link", name=re.compile("The miracle question"))
    expect(todo.get_by_role("link", name=re.compile("Exception log"))).to_be_visible()
    check_page(a, "loop-portal-home-a")

    task.click()
    expect(a.get_by_role("heading", level=1, name="The miracle question")).to_be_visible()
    check_page(a, "loop-portal-miracle")
    first = a.get_by_label(re.compile("first small sign"))
    first.fill(MIRACLE["first_sign"])
    a.get_by_role("button", name="Save draft").click()
    expect(flash(a, "Draft saved")).to_be_visible()
    expect(first).to_have_value(MIRACLE["first_sign"])
    check_page(a, "loop-portal-miracle-draft")
    a.get_by_label("What are you doing differently?").fill(MIRACLE["i_do"])
    a.get_by_label("What is your partner doing differently?").fill(MIRACLE["partner_does"])
    a.get_by_label("How are the two of you with each other?").fill(MIRACLE["together"])
    a.get_by_label(re.compile("Walk through that whole day")).fill(MIRACLE["miracle_day"])
    expect(a.get_by_label("Only my therapist")).to_be_checked()
    a.get_by_role("button", name="Send to my therapist").click()
    expect(flash(a, "Sent to your therapist")).to_be_visible()
    check_page(a, "loop-portal-home-sent")

    a.get_by_role("region", name="To do").get_by_role("link", name=re.compile("Exception log")).click()
    expect(a.get_by_role("heading", level=1, name="A moment that went differently")).to_be_visible()
    check_page(a, "loop-portal-add-exception")
    a.get_by_label("When was it?").fill((today - timedelta(days=1)).isoformat())
    a.get_by_label("What was different about the situation?").fill(MOMENT)
    a.get_by_label("Only my therapist").check()
    a.get_by_role("button", name="Save", exact=True).click()
    expect(flash(a, "Added to your exception log")).to_be_visible()
    expect(a).to_have_url(re.compile(r"/portal/entries$"))
    expect(a.locator(".entry").filter(has_text=MOMENT)).to_contain_text("Only your therapist")

    a.get_by_role("link", name="Place myself on the scale").click()
    expect(a.get_by_role("heading", level=1, name="Where are you on the scale today?")).to_be_visible()
    check_page(a, "loop-portal-add-scale")
    a.get_by_label("4", exact=True).check()
    a.get_by_label(re.compile("^If you moved up one point")).fill(ONE_HIGHER)
    a.get_by_label("Only my therapist").check()
    a.get_by_role("button", name="Save", exact=True).click()
    expect(flash(a, "Your place on the scale is saved")).to_be_visible()
    expect(a.get_by_role("heading", level=1, name=MY_PROGRESS)).to_be_visible()
    expect(a.locator(".entry").filter(has_text="4 / 10")).to_contain_text("Only your therapist")
    check_page(a, "loop-portal-progress-a")

    # 4. Partner B, on another phone, sees none of A's private work.
    b = phone_context().new_page()
    open_portal(b, link_b, "b", check_page)
    expect(b.get_by_text(f"Hello, {B_NAME}")).to_be_visible()
    b_todo = b.get_by_role("region", name="To do")
    expect(b_todo.get_by_role("link", name=re.compile("Exception log"))).to_be_visible()
    expect(b_todo.get_by_role("link", name=re.compile("miracle"))).to_have_count(0)  # A's only
    expect(b.get_by_role("region", name="Shared with you")).to_have_count(0)
    assert_none_of(b.content(), (MOMENT, ONE_HIGHER, *MIRACLE.values()), "B's home")
    check_page(b, "loop-portal-home-b")
    b.get_by_role("navigation", name="Your space").get_by_role("link", name=MY_PROGRESS).click()
    expect(b.get_by_role("heading", level=1, name=MY_PROGRESS)).to_be_visible()
    expect(b.get_by_text("No moments yet")).to_be_visible()
    expect(b.get_by_text("No places yet.")).to_be_visible()
    assert_none_of(b.content(), (MOMENT, ONE_HIGHER, *MIRACLE.values()), "B's progress")
    check_page(b, "loop-portal-progress-b")

    # 5. The clinician reviews the submission and writes, checks, signs and prints a note.
    nav(clinic, "Inbox").click()
    expect(clinic.get_by_role("heading", level=1, name="What came in")).to_be_visible()
    row = clinic.get_by_role("row").filter(has_text="The miracle question")
    expect(row).to_contain_text(A_NAME)
    expect(row).to_contain_text("New")
    check_page(clinic, "loop-clinician-inbox")
    row.get_by_role("link", name="The miracle question").click()
    expect(clinic.get_by_role("heading", level=1, name="The miracle question")).to_be_visible()
    expect(clinic.get_by_text(f"From {A_NAME}")).to_be_visible()
    for prompt, key in (("What are you doing differently?", "i_do"),
                        ("Walk through that whole day", "miracle_day")):
        pair = clinic.get_by_role("row").filter(has=clinic.get_by_role("rowheader", name=re.compile(prompt)))
        expect(pair.get_by_role("cell")).to_have_text(MIRACLE[key])
    check_page(clinic, "loop-clinician-submission")
    clinic.get_by_role("button", name="Mark reviewed").click()
    expect(clinic.get_by_text(re.compile(rf"^Reviewed .* by {CLINICIAN['name']}$"))).to_be_visible()
    check_page(clinic, "loop-clinician-submission-reviewed")

    clinic.get_by_role("link", name=f"← {LABEL}").click()
    expect(clinic.get_by_role("heading", level=1, name=LABEL)).to_be_visible()
    expect(clinic.get_by_role("region", name="Exception log")).to_contain_text(MOMENT)
    check_page(clinic, "loop-clinician-couple-active")
    clinic.get_by_role("link", name="New note").click()
    expect(clinic.get_by_role("heading", level=1, name="New session note")).to_be_visible()
    candidate = clinic.locator(".candidate").filter(has_text=MOMENT)
    expect(candidate).to_contain_text(f"— {A_NAME},")
    expect(candidate.get_by_role("checkbox")).to_be_checked()
    check_page(clinic, "loop-clinician-note-new")

    difficulties = clinic.get_by_label("Difficulties acknowledged")
    difficulties.fill(DEFICIT)
    live = clinic.locator("[data-findings-for='difficulties']")
    expect(live.locator("mark")).to_have_text(re.compile(r"^She is anxious$", re.I))  # while typing
    clinic.get_by_role("button", name="Check language").click()  # the same without JavaScript
    expect(clinic.get_by_role("status").filter(has_text="1 language suggestion")).to_be_visible()
    expect(clinic.locator("[data-findings-for='difficulties'] mark")).to_have_text(
        re.compile(r"^She is anxious$", re.I)
    )
    expect(clinic.get_by_label("Difficulties acknowledged")).to_have_value(DEFICIT)
    check_page(clinic, "loop-clinician-note-checked")
    clinic.get_by_role("button", name="Save draft").click()
    expect(flash(clinic, "Draft saved.")).to_be_visible()
    expect(clinic.get_by_role("heading", level=1, name=re.compile("^Session note"))).to_be_visible()
    check_page(clinic, "loop-clinician-note-draft")
    clinic.get_by_role("button", name="Sign and lock").click()
    expect(clinic.get_by_text("Verified: the stored note matches the hash made at signing.")).to_be_visible()
    check_page(clinic, "loop-clinician-note-signed")
    note_pdf = pdf_text(download(
        clinic, clinic.get_by_role("link", name="Download PDF"), tmp_path, "note.pdf"
    ))
    for expected in (LABEL, "Difficulties acknowledged", DEFICIT):
        assert expected in note_pdf, f"the note's PDF lacks {expected!r}"
    assert re.search(rf"{re.escape(MOMENT)}\W* — {A_NAME},", note_pdf), "the note's PDF lacks A's quote"

    # 6. The supervisor's de-identified report names nobody and quotes nothing.
    sup = desktop_context().new_page()
    sign_in(sup, practice["supervisor"])
    expect(sup.get_by_role("heading", level=1, name="Supervision reports")).to_be_visible()
    check_page(sup, "loop-supervisor-reports")
    sup.get_by_label("From").fill((today - timedelta(days=30)).isoformat())
    sup.get_by_label("Until").fill(today.isoformat())
    sup.get_by_role("button", name="Show report").click()
    couples = sup.get_by_role("region", name="Couples")
    expect(couples.get_by_role("row")).to_have_count(2)  # the header and one couple
    expect(couples.get_by_role("row").nth(1)).to_contain_text(CLINICIAN["name"])
    assert_none_of(sup.content(), CONFIDENTIAL, "the report page")
    check_page(sup, "loop-supervisor-report")
    report_pdf = pdf_text(download(
        sup, sup.get_by_role("link", name="Download PDF"), tmp_path, "report.pdf"
    ))
    report_csv = download(sup, sup.get_by_role("link", name="Download CSV"), tmp_path, "report.csv")
    csv_text = report_csv.read_text(encoding="utf-8")
    assert CLINICIAN["name"] in report_pdf and CLINICIAN["name"] in csv_text  # not empty
    assert_none_of(report_pdf, CONFIDENTIAL, "the report's PDF")
    assert_none_of(csv_text, CONFIDENTIAL, "the report's CSV")
