"""The clinician's pages of change (couple page chart, timeline, tags, patterns) and the partner's
"My progress" page, with what each of them may see."""

import html
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.extensions import db
from clinic.records.models import ExceptionEntry, ExceptionTag, ScalePlacement
from clinic.records.services import tag_entry
from clinic.timeutil import utcnow
from tests import html_forms

SVG = "{http://www.w3.org/2000/svg}"
D = [date(2025, 3, d) for d in (1, 4, 8, 12, 16, 20, 24)]


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _long(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


# --- the chart on the couple page ---------------------------------------------------------------


def _svgs(response) -> list[ET.Element]:
    raw = response.get_data(as_text=True)
    return [
        ET.fromstring(found)  # noqa: S314 - the app's own output
        for found in re.findall(r'<figure class="chart[^"]*">(<svg.*?</svg>)</figure>', raw, re.S)
    ]


def _series(svg: ET.Element) -> dict[str, list[tuple[float, int]]]:
    """Each partner's drawn points as (x, value), in drawing order; the value is read back from the
    y axis (each value's grid line, followed by its label)."""
    axes = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "axes")
    grid = [round(float(line.get("y1")), 1) for line in axes.iter(f"{SVG}line")
            if line.get("y1") == line.get("y2")]
    names = [int(t.text) for t in axes.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    value_at = dict(zip(grid, names, strict=True))
    out = {}
    for group in svg.iter(f"{SVG}g"):
        if "series" not in group.get("class", "").split():
            continue
        points = []
        for shape in group:
            if shape.get("class") != "point":
                continue
            if shape.tag == f"{SVG}circle":
                x, y = float(shape.get("cx")), float(shape.get("cy"))
            else:  # a diamond: its first corner is straight above the point
                top = shape.get("points").split()[0].split(",")
                x, y = float(top[0]), float(top[1]) + 6.5
            points.append((x, value_at[round(y, 1)]))
        out[group.get("data-label")] = points
    return out


def _values(svg: ET.Element) -> dict[str, list[int]]:
    return {label: [v for _x, v in points] for label, points in _series(svg).items()}


def _table_rows(response) -> list[list[str]]:
    table = re.search(r'<details class="chart-data">.*?<tbody>(.*?)</tbody>', text_of(response), re.S)
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    return [[c.strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


@pytest.fixture
def charted(make_user, make_couple, place, login):
    """Placements entered out of date order, from the portal and in session, private and shared."""
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    place(a, D[4], 6)
    place(a, D[0], 3)
    place(b, D[1], 5, shared=True)
    place(a, D[2], 9, by=clinician)
    place(b, D[4], 2)
    place(b, D[3], 8, by=clinician)
    login(clinician)
    return couple


def test_the_couple_page_draws_one_series_per_partner_in_date_order(client, charted):
    response = client.get(f"/couples/{charted.id}")

    (svg,) = _svgs(response)
    assert svg.get("role") == "img"
    series = _series(svg)
    assert list(series) == ["Chen Jing", "Wang Hao"]
    assert _values(svg) == {"Chen Jing": [3, 9, 6], "Wang Hao": [5, 8, 2]}
    for points in series.values():
        xs = [x for x, _v in points]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)


def test_the_chart_table_has_a_row_per_placement_day(client, charted):
    rows = _table_rows(client.get(f"/couples/{charted.id}"))

    assert rows == [
        [_long(D[0]), "3", ""],
        [_long(D[1]), "", "5"],
        [_long(D[2]), "9", ""],
        [_long(D[3]), "", "8"],
        [_long(D[4]), "6", "2"],
    ]


def test_the_trend_summary_says_where_each_partner_started_and_stands(client, charted):
    page = text_of(client.get(f"/couples/{charted.id}"))

    assert f"started at 3 ({_long(D[0])}), now 6 ({_long(D[4])}), +3" in page
    assert f"started at 5 ({_long(D[1])}), now 2 ({_long(D[4])}), -3" in page
    assert "The partners are 4 points apart on the scale right now." in page


def test_a_couple_without_placements_has_an_empty_chart(client, login, make_user, make_couple):
    clinician = make_user()
    couple = make_couple(clinician)
    login(clinician)

    response = client.get(f"/couples/{couple.id}")

    (svg,) = _svgs(response)
    assert _series(svg) == {"Chen Jing": [], "Wang Hao": []}
    assert _table_rows(response) == [["No placements yet."]]
    assert text_of(response).count("no placement yet") == 2


def test_partner_names_are_escaped_in_the_chart_and_table(client, login, make_user, make_couple, place):
    clinician = make_user()
    couple = make_couple(clinician, a="<b>Jing</b> & co", b='Hao "H"')
    place(couple.partners[0], D[0], 4)
    login(clinician)

    response = client.get(f"/couples/{couple.id}")

    raw = response.get_data(as_text=True)
    assert "<b>Jing</b>" not in raw
    assert list(_series(_svgs(response)[0])) == ["<b>Jing</b> & co", 'Hao "H"']


def test_partners_with_the_same_name_are_told_apart(client, login, make_user, make_couple, place):
    """Two partners called "Alex": the chart refused two series with one label (a 500)."""
    clinician = make_user()
    couple = make_couple(clinician, a="Alex", b="Alex")
    a, b = couple.partners
    place(a, D[0], 8)
    place(b, D[0], 4)
    place(a, D[1], 5)
    login(clinician)

    response = client.get(f"/couples/{couple.id}")

    assert response.status_code == 200
    assert _values(_svgs(response)[0]) == {"Alex (A)": [8, 5], "Alex (B)": [4]}
    assert _table_rows(response) == [[_long(D[0]), "8", "4"], [_long(D[1]), "5", ""]]
    assert "Alex (A) fell 3 points since last time." in text_of(response)


# --- the timeline -------------------------------------------------------------------------------


def _entries(response) -> list[int]:
    raw = response.get_data(as_text=True)
    return [int(i) for i in re.findall(r'<li class="card" id="entry-(\d+)">', raw)]


@pytest.fixture
def logged(make_user, make_couple, log_exception, login):
    """Seven entries, one per day in D, alternating partners; entered out of date order."""
    clinician = make_user()
    couple = make_couple(clinician)
    a, b = couple.partners
    entries = {}
    for i in (3, 0, 6, 1, 5, 2, 4):
        who = a if i % 2 == 0 else b
        entries[i] = log_exception(who, D[i], f"Moment {i}", by=clinician if i == 5 else None)
    login(clinician)
    return clinician, couple, entries


def test_the_timeline_is_newest_first(client, logged):
    _clinician, couple, entries = logged

    response = client.get(f"/records/couples/{couple.id}/exceptions")

    assert response.status_code == 200
    assert _entries(response) == [entries[i].id for i in range(6, -1, -1)]


def test_entries_of_one_day_are_newest_first_too(client, login, make_user, make_couple, log_exception):
    clinician = make_user()
    couple = make_couple(clinician)
    first = log_exception(couple.partners[0], D[0], "First")
    second = log_exception(couple.partners[1], D[0], "Second")
    login(clinician)

    assert _entries(client.get(f"/records/couples/{couple.id}/exceptions")) == [second.id, first.id]


def test_the_timeline_filters_by_partner(client, logged):
    _clinician, couple, entries = logged
    a, b = couple.partners

    only_a = client.get(f"/records/couples/{couple.id}/exceptions?partner_id={a.id}")
    only_b = client.get(f"/records/couples/{couple.id}/exceptions?partner_id={b.id}")
    both = client.get(f"/records/couples/{couple.id}/exceptions?partner_id=0")

    assert _entries(only_a) == [entries[i].id for i in (6, 4, 2, 0)]
    assert _entries(only_b) == [entries[i].id for i in (5, 3, 1)]
    assert len(_entries(both)) == 7


def test_the_timeline_filters_by_date_range_inclusive(client, logged):
    _clinician, couple, entries = logged
    url = f"/records/couples/{couple.id}/exceptions"

    between = client.get(f"{url}?since={D[2].isoformat()}&until={D[4].isoformat()}")
    since = client.get(f"{url}?since={D[5].isoformat()}")
    until = client.get(f"{url}?until={D[1].isoformat()}")
    a = couple.partners[0]
    both = client.get(f"{url}?partner_id={a.id}&since={D[1].isoformat()}&until={D[5].isoformat()}")

    assert _entries(between) == [entries[i].id for i in (4, 3, 2)]
    assert _entries(since) == [entries[i].id for i in (6, 5)]
    assert _entries(until) == [entries[i].id for i in (1, 0)]
    assert _entries(both) == [entries[i].id for i in (4, 2)]
    assert "No entries match." in text_of(client.get(f"{url}?since=2030-01-01"))


def test_an_invalid_date_filter_is_ignored_not_an_error(client, logged):
    _clinician, couple, _ = logged

    response = client.get(f"/records/couples/{couple.id}/exceptions?since=yesterday")

    assert response.status_code == 200 and len(_entries(response)) == 7


@pytest.mark.config(TIMELINE_PAGE_SIZE=3)
def test_the_timeline_pages_by_timeline_page_size(client, logged):
    _clinician, couple, entries = logged
    url = f"/records/couples/{couple.id}/exceptions"

    pages = [client.get(f"{url}?page={n}") for n in (1, 2, 3)]

    assert [_entries(p) for p in pages] == [
        [entries[i].id for i in (6, 5, 4)],
        [entries[i].id for i in (3, 2, 1)],
        [entries[0].id],
    ]
    first = text_of(pages[0])
    assert "Page 1 of 3" in first and ">Newer<" not in first
    assert f'href="{url}?page=2">Older</a>' in first
    last = text_of(pages[2])
    assert f'href="{url}?page=2">Newer</a>' in last and ">Older<" not in last
    assert "No entries match." in text_of(client.get(f"{url}?page=4"))
    assert _entries(client.get(f"{url}?page=0")) == _entries(pages[0])


@pytest.mark.config(TIMELINE_PAGE_SIZE=2)
def test_page_links_keep_the_filters(client, logged):
    _clinician, couple, entries = logged
    a = couple.partners[0]
    url = f"/records/couples/{couple.id}/exceptions"

    first = client.get(f"{url}?partner_id={a.id}&since={D[0].isoformat()}")
    older = re.search(r'href="([^"]+)">Older</a>', text_of(first)).group(1)
    second = client.get(older)

    assert f"partner_id={a.id}" in older and f"since={D[0].isoformat()}" in older
    assert _entries(first) == [entries[6].id, entries[4].id]
    assert _entries(second) == [entries[2].id, entries[0].id]
    assert "Page 2 of 2" in text_of(second)


def test_each_entry_is_shown_in_full_and_escaped(client, login, make_user, make_couple, log_exception):
    clinician = make_user()
    couple = make_couple(clinician)
    long_context = "We cooked together. " * 60
    log_exception(
        couple.partners[0], D[0], long_context + "<script>alert('x')</script>",
        behaviour="I asked <b>how</b> her day was", thoughts="That it could be easy & light",
        feelings="Calm", meaning="We can do this more",
    )
    login(clinician)

    response = client.get(f"/records/couples/{couple.id}/exceptions")

    raw = response.get_data(as_text=True)
    assert "<script>alert" not in raw and "<b>how</b>" not in raw
    assert "&lt;script&gt;alert(" in raw and "&lt;b&gt;how&lt;/b&gt;" in raw
    page = text_of(response)
    assert f"<dd>{long_context}<script>alert('x')</script></dd>" in page
    for label, answer in [
        ("What I did", "I asked <b>how</b> her day was"),
        ("What I thought", "That it could be easy & light"),
        ("What I felt", "Calm"), ("What this tells us", "We can do this more"),
    ]:
        assert f"<dt>{label}</dt><dd>{answer}</dd>" in page
    assert "from the portal" in page and "private" in page


def test_the_timeline_read_is_audited(client, logged):
    _clinician, couple, _ = logged

    client.get(f"/records/couples/{couple.id}/exceptions?page=1")

    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.couple_id == couple.id)
    ).all()
    assert "exception.timeline" in actions


def test_another_clinicians_couple_timeline_is_not_found(logged, make_user, signed_in):
    clinician, couple, _ = logged
    colleague = signed_in(make_user(practice=clinician.practice))
    supervisor = signed_in(make_user(practice=clinician.practice, role="supervisor"))

    assert colleague.get(f"/records/couples/{couple.id}/exceptions").status_code == 404
    assert supervisor.get(f"/records/couples/{couple.id}/exceptions").status_code == 404


# --- tags ---------------------------------------------------------------------------------------


def _tags(entry_id: int) -> list[tuple[str, str]]:
    return [
        (t.category, t.value)
        for t in db.session.scalars(
            sa.select(ExceptionTag).where(ExceptionTag.entry_id == entry_id).order_by(ExceptionTag.id)
        )
    ]


def test_the_clinician_tags_an_entry_and_sees_the_tag(client, logged):
    clinician, couple, entries = logged
    entry = entries[3]

    response = client.post(
        f"/records/couples/{couple.id}/exceptions/{entry.id}/tags",
        data={"category": "activity", "value": "  a   walk "},
    )

    assert response.status_code == 302
    assert response.location == f"/records/couples/{couple.id}/exceptions#entry-{entry.id}"
    assert _tags(entry.id) == [("activity", "a walk")]
    tag = db.session.scalar(sa.select(ExceptionTag).where(ExceptionTag.entry_id == entry.id))
    assert tag.added_by_user_id == clinician.id and tag.added_by_partner_id is None
    page = text_of(client.get(f"/records/couples/{couple.id}/exceptions"))
    assert "Tag added." in page and "Shared activity: a walk" in page


def test_a_tag_is_added_once_whatever_its_case(client, logged):
    _clinician, couple, entries = logged
    url = f"/records/couples/{couple.id}/exceptions/{entries[3].id}/tags"

    client.post(url, data={"category": "time", "value": "Evening"})
    client.post(url, data={"category": "time", "value": "evening"})
    client.post(url, data={"category": "place", "value": "evening"})

    assert _tags(entries[3].id) == [("time", "Evening"), ("place", "evening")]


REFUSED = "Choose a kind of condition and write it in a few words."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"category": "mood", "value": "happy"}, "Not a valid choice"),
        ({"category": "activity", "value": ""}, REFUSED),
        ({"category": "activity", "value": "x" * 61}, "60 characters"),
        ({"category": "activity", "value": "   "}, "Write the condition in a few words."),
        ({"category": "activity", "value": "a walk\x00"}, "control characters"),
    ],
)
def test_an_invalid_tag_is_refused_with_a_message_beside_what_was_typed(client, logged, data, message):
    _clinician, couple, entries = logged

    response = client.post(f"/records/couples/{couple.id}/exceptions/{entries[3].id}/tags", data=data)

    assert response.status_code == 422
    assert message in text_of(response)
    shown = [f.value for f in html_forms.fields(response.get_data(as_text=True)) if f.name == "value"]
    assert shown == [data["value"].replace("\x00", "")]
    assert _tags(entries[3].id) == []


def test_the_clinician_removes_a_tag(client, logged):
    clinician, couple, entries = logged
    tag_entry(clinician, couple.id, entries[2].id, "activity", "a walk")
    tag_entry(clinician, couple.id, entries[2].id, "time", "morning")
    walk = db.session.scalar(sa.select(ExceptionTag).where(ExceptionTag.value == "a walk"))

    response = client.post(f"/records/couples/{couple.id}/tags/{walk.id}/remove")

    assert response.status_code == 302
    assert _tags(entries[2].id) == [("time", "morning")]
    assert "Shared activity: a walk" not in text_of(client.get(f"/records/couples/{couple.id}/exceptions"))
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.couple_id == couple.id)).all()
    assert "exception.tag" in actions and "exception.untag" in actions


def test_tags_of_another_couple_cannot_be_reached(
    client, login, make_user, make_couple, log_exception, logged
):
    clinician, couple, entries = logged
    mine_other = make_couple(clinician)
    colleague = make_user(practice=clinician.practice)
    theirs = make_couple(colleague)
    their_entry = log_exception(theirs.partners[0], D[0], tags=[("time", "night")])
    their_tag = db.session.scalar(sa.select(ExceptionTag).where(ExceptionTag.entry_id == their_entry.id))
    tag_entry(clinician, couple.id, entries[0].id, "time", "noon")
    my_tag = db.session.scalar(sa.select(ExceptionTag).where(ExceptionTag.value == "noon"))

    responses = [
        client.post(f"/records/couples/{theirs.id}/exceptions/{their_entry.id}/tags",
                    data={"category": "time", "value": "x"}),
        client.post(f"/records/couples/{theirs.id}/tags/{their_tag.id}/remove"),
        # My couple's URL with the other couple's rows, and my row under my other couple.
        client.post(f"/records/couples/{couple.id}/exceptions/{their_entry.id}/tags",
                    data={"category": "time", "value": "x"}),
        client.post(f"/records/couples/{couple.id}/tags/{their_tag.id}/remove"),
        client.post(f"/records/couples/{mine_other.id}/tags/{my_tag.id}/remove"),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert _tags(their_entry.id) == [("time", "night")]
    assert _tags(entries[0].id) == [("time", "noon")]


def _record_form(context="We laughed at dinner", **extra) -> dict:
    return {"a-date": D[2].isoformat(), "a-context": context, "sharing": "private", **extra}


def test_a_partner_adds_tags_from_the_portal_form(client, login, make_user, make_couple, portal_client):
    clinician = make_user()
    couple = make_couple(clinician)
    a = couple.partners[0]
    browser = portal_client(a)

    response = browser.post("/portal/add/exception", data=_record_form(**{
        "tag-activity": "  cooking   together ", "tag-time": "evening", "tag-place": "",
        "tag-initiator": "my partner", "tag-mood": "ignored",
    }))

    assert response.status_code == 302 and response.location == "/portal/entries"
    entry = db.session.scalar(sa.select(ExceptionEntry).where(ExceptionEntry.partner_id == a.id))
    assert sorted(_tags(entry.id)) == [
        ("activity", "cooking together"), ("initiator", "my partner"), ("time", "evening")
    ]
    tags = db.session.scalars(sa.select(ExceptionTag).where(ExceptionTag.entry_id == entry.id)).all()
    assert {(t.added_by_partner_id, t.added_by_user_id, t.couple_id) for t in tags} == {
        (a.id, None, couple.id)
    }
    login(clinician)
    timeline = text_of(client.get(f"/records/couples/{couple.id}/exceptions"))
    assert "Shared activity: cooking together" in timeline


def test_an_over_long_portal_tag_is_cut_not_refused(make_user, make_couple, portal_client):
    couple = make_couple(make_user())
    browser = portal_client(couple.partners[0])

    response = browser.post("/portal/add/exception", data=_record_form(**{"tag-place": "p" * 80}))

    assert response.status_code == 302
    assert db.session.scalar(sa.select(ExceptionTag.value)) == "p" * 60


def test_a_portal_form_with_errors_keeps_the_tags_typed(make_user, make_couple, portal_client):
    couple = make_couple(make_user())
    browser = portal_client(couple.partners[0])

    response = browser.post(
        "/portal/add/exception", data=_record_form(context="", **{"tag-time": "<i>dusk</i>"})
    )

    assert response.status_code == 422
    raw = response.get_data(as_text=True)
    assert 'value="&lt;i&gt;dusk&lt;/i&gt;"' in raw
    assert db.session.scalar(sa.select(sa.func.count(ExceptionTag.id))) == 0


def _patterns(response) -> dict[str, list[tuple[str, int]]]:
    section = re.search(r'<dl class="patterns">(.*?)</dl>', text_of(response), re.S)
    if section is None:
        return {}
    out = {}
    for label, chips in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", section.group(1), re.S):
        found = re.findall(r'<li>(.*?) <span class="muted">\u00d7 (\d+)</span></li>', chips)
        out[label] = [(value, int(n)) for value, n in found]
    return out


def test_the_couple_page_counts_entries_per_condition(client, logged, log_exception):
    clinician, couple, entries = logged
    b = couple.partners[1]
    for i, (category, value) in [
        (0, ("activity", "a walk")), (1, ("activity", "a walk")), (2, ("activity", "a walk")),
        (3, ("activity", "shopping")), (0, ("time", "evening")), (1, ("time", "evening")),
        (2, ("time", "Evening")), (4, ("place", "<at home>")),
    ]:
        tag_entry(clinician, couple.id, entries[i].id, category, value)
    log_exception(b, D[6], tags=[("initiator", "both of us"), ("activity", "shopping")])

    response = client.get(f"/couples/{couple.id}")

    assert "&lt;at home&gt;" in response.get_data(as_text=True)
    assert _patterns(response) == {
        "Shared activity": [("a walk", 3), ("shopping", 2)],
        "Time of day": [("evening", 3)],  # one condition in any case, as most often written
        "Place": [("<at home>", 1)],
        "Who started it": [("both of us", 1)],
    }


def test_the_couple_page_without_tags_invites_tagging(client, logged):
    _clinician, couple, _ = logged

    response = client.get(f"/couples/{couple.id}")

    assert _patterns(response) == {}
    assert "No conditions tagged yet." in text_of(response)


# --- recording in session -----------------------------------------------------------------------


def test_the_clinician_records_an_exception_and_a_placement_in_session(client, login, make_user, make_couple):
    clinician = make_user()
    couple = make_couple(clinician)
    b = couple.partners[1]
    login(clinician)

    exception = client.post(
        f"/records/couples/{couple.id}/exception/new",
        data={"partner_id": b.id, "a-date": D[1].isoformat(), "a-context": "Said thank you"},
    )
    scale = client.post(
        f"/records/couples/{couple.id}/scale/new",
        data={"partner_id": b.id, "a-value": "7", "shared": "y"},
    )

    assert exception.status_code == scale.status_code == 302
    assert exception.location == f"/couples/{couple.id}#records"
    entry = db.session.scalar(sa.select(ExceptionEntry))
    placement = db.session.scalar(sa.select(ScalePlacement))
    assert (entry.partner_id, entry.source, entry.recorded_by_id, entry.shared_with_partner) == (
        b.id, "session", clinician.id, False
    )
    today = utcnow().date()  # the scale form has no date: a placement is today's
    assert (placement.value, placement.placed_on, placement.shared_with_partner) == (7, today, True)
    assert _table_rows(client.get(f"/couples/{couple.id}")) == [[_long(today), "", "7"]]


def test_recording_for_a_partner_of_another_couple_is_not_found(client, login, make_user, make_couple):
    clinician = make_user()
    couple = make_couple(clinician)
    stranger = make_couple(clinician).partners[0]
    login(clinician)

    response = client.post(
        f"/records/couples/{couple.id}/exception/new",
        data={"partner_id": stranger.id, "a-date": D[1].isoformat(), "a-context": "x"},
    )

    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(ExceptionEntry.id))) == 0


# --- privacy: the partner's "My progress" page --------------------------------------------------


@pytest.fixture
def two_partners(make_user, make_couple, place, log_exception):
    clinician = make_user()
    couple = make_couple(clinician, a="Chen Jing", b="Wang Hao")
    a, b = couple.partners
    place(a, D[0], 4)
    place(a, D[3], 6, one_higher="A walk on Sunday")
    place(b, D[1], 9)  # private
    place(b, D[2], 2, shared=True, one_higher="Shared step")  # shared, but never in A's chart
    log_exception(a, D[0], "A's own private moment")
    log_exception(b, D[1], "B's shared moment", shared=True)
    log_exception(b, D[2], "B's private moment", behaviour="B's private behaviour")
    return clinician, couple, a, b


def test_the_progress_page_shows_the_partners_own_chart_only(two_partners, portal_client):
    _clinician, _couple, a, _b = two_partners

    response = portal_client(a).get("/portal/entries")

    assert response.status_code == 200
    (svg,) = _svgs(response)
    assert _values(svg) == {"Chen Jing": [4, 6]}
    assert "Wang Hao" not in ET.tostring(svg, encoding="unicode")
    page = text_of(response)
    as_list = re.search(r"<summary>As a list</summary>\s*<ul>(.*?)</ul>", page, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", as_list) == [f"{_long(D[0])}: 4", f"{_long(D[3])}: 6"]
    assert "You started at <strong>4</strong> and your latest place is <strong>6</strong>." in page


# At a 390 px viewport the portal's chart column is 390 - 2 x (1rem page padding + 1rem card
# padding + 1 px border) = 324 px (static/css/portal.css); `.chart svg` fills it (width: 100%).
PHONE_COLUMN_PX = 390 - 2 * (16 + 16 + 1)


def _smallest_text(node: ET.Element, size: float | None = None) -> float:
    """The smallest font-size any <text> inherits, in viewBox units."""
    size = float(node.get("font-size")) if node.get("font-size") else size
    found = [_smallest_text(child, size) for child in node]
    if node.tag == f"{SVG}text":
        found.append(size)
    return min(found, default=float("inf"))


def test_the_partners_own_chart_is_readable_on_a_phone(two_partners, portal_client):
    _clinician, _couple, a, _b = two_partners

    response = portal_client(a).get("/portal/entries")

    (svg,) = _svgs(response)
    view_width = float(svg.get("viewBox").split()[2])
    rendered = min(PHONE_COLUMN_PX, 28 * 16)  # the column, at most .chart-phone svg's max-width
    assert _smallest_text(svg) * rendered / view_width >= 12
    # The current value stands large beside the chart, not only as a point on it.
    page = response.get_data(as_text=True)
    assert re.search(r'<span class="scale-now-value">6</span>', page)


def test_the_progress_page_shows_own_entries_and_shared_ones_only(two_partners, portal_client):
    _clinician, _couple, a, _b = two_partners

    page = text_of(portal_client(a).get("/portal/entries"))

    assert "A's own private moment" in page
    assert "B's shared moment" in page and "from your partner" in page
    assert "B's private moment" not in page and "B's private behaviour" not in page
    assert "9 / 10" not in page  # B's private placement
    assert "A walk on Sunday" in page


def test_the_other_partner_sees_the_mirror_image(two_partners, portal_client):
    _clinician, _couple, _a, b = two_partners

    response = portal_client(b).get("/portal/entries")

    assert _values(_svgs(response)[0]) == {"Wang Hao": [9, 2]}
    page = text_of(response)
    assert "A's own private moment" not in page and "B's private moment" in page


def test_a_partner_without_placements_sees_no_chart(make_user, make_couple, place, portal_client):
    couple = make_couple(make_user())
    a, b = couple.partners
    place(b, D[0], 7, shared=True)

    response = portal_client(a).get("/portal/entries")

    assert _svgs(response) == []
    assert "No places on the scale yet." in text_of(response)


def test_a_partner_cannot_tag_or_reach_the_other_partners_private_entry(two_partners, portal_client):
    _clinician, couple, a, _b = two_partners
    private = db.session.scalar(
        sa.select(ExceptionEntry).where(ExceptionEntry.context == "B's private moment")
    )
    browser = portal_client(a)

    tagged = browser.post(
        f"/records/couples/{couple.id}/exceptions/{private.id}/tags", data={"category": "time", "value": "x"}
    )
    timeline = browser.get(f"/records/couples/{couple.id}/exceptions")
    shared = browser.post(f"/portal/entries/exception/{private.id}/sharing", data={"shared": "1"})

    # The clinician's pages want a signed-in clinician: the portal session is not one (a post
    # gets its text back to copy, kept for nobody).
    assert tagged.status_code == 401 and timeline.status_code == 302
    assert timeline.location.startswith("/auth/login")
    assert shared.status_code == 404
    db.session.expire_all()
    assert _tags(private.id) == []
    assert db.session.get(ExceptionEntry, private.id).shared_with_partner is False


def test_a_partner_can_only_tag_their_own_new_entry(two_partners, portal_client):
    """Tags come in with the partner's own entry: the portal has no way to tag an existing one."""
    _clinician, couple, a, _b = two_partners
    browser = portal_client(a)

    browser.post("/portal/add/exception", data=_record_form("Another moment", **{"tag-time": "night"}))

    rows = db.session.execute(
        sa.select(ExceptionEntry.partner_id, ExceptionTag.value)
        .join(ExceptionTag, ExceptionTag.entry_id == ExceptionEntry.id)
        .where(ExceptionEntry.couple_id == couple.id)
    ).all()
    assert rows == [(a.id, "night")]
