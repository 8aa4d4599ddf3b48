"""Posted exercise answers: the form macros, parsing, validation and the read-only view."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader
from werkzeug.datastructures import MultiDict

from clinic.exercises import catalogue
from clinic.exercises.answers import empty_answers, input_name, is_empty, parse_answers
from clinic.exercises.picks import PickOption

ROOT = Path(__file__).parents[2]
EXERCISES = catalogue.all_exercises()
IDS = [ex.key for ex in EXERCISES]
# What a picks field offers one partner (their own entries or actions), with text to escape.
PICKS = [PickOption(str(n), f"{n} March: we cooked <b>&</b> together") for n in range(11, 17)]


def options(exercise):
    return {f.key: PICKS for f in exercise.fields if f.kind == "picks"}


@pytest.fixture(scope="module")
def macros():
    env = Environment(
        loader=FileSystemLoader(ROOT / "templates"), autoescape=True, extensions=["jinja2.ext.i18n"]
    )
    env.install_null_translations(newstyle=True)  # the English of the templates, as the app has it
    env.filters["date"] = str  # the app's filter writes the day in the reader's language
    return env.get_template("exercises/_fields.html").module


class Form(HTMLParser):
    """What a browser would see and post for a rendered form."""

    def __init__(self, html):
        super().__init__()
        self.controls = []  # (tag, attrs) of input/textarea, in document order
        self.ids = []
        self.label_for = []
        self.text_by_id = {}
        self.classes = []
        self._textarea = None
        self._open = []  # (tag, id) of elements with an id whose text is being collected
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
            if tag not in ("input", "option"):
                self._open.append((tag, a["id"]))
                self.text_by_id[a["id"]] = ""
        self.classes.append((tag, a.get("class", "")))
        if tag == "label":
            self.label_for.append(a.get("for"))
        if tag == "input":
            self.controls.append(("input", a))
        if tag == "textarea":
            self._textarea = {**a, "value": ""}
            self.controls.append(("textarea", self._textarea))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        if self._open and self._open[-1][0] == tag:
            _tag, done = self._open.pop()
            self.text_by_id[done] = self.text_by_id[done].strip()

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data
        for _tag, open_id in self._open:
            self.text_by_id[open_id] += data

    def names(self):
        return [a["name"] for _tag, a in self.controls]

    def by_name(self, name):
        return [a for _tag, a in self.controls if a["name"] == name]

    def submit(self, changes=None):
        """The MultiDict a browser would post, after the person typed `changes`."""
        data = MultiDict()
        for _tag, a in self.controls:
            if a.get("type") in ("radio", "checkbox"):
                if "checked" in a:
                    data.add(a["name"], a["value"])
            else:
                data.add(a["name"], a.get("value", ""))
        for name, value in (changes or {}).items():
            data.setlist(name, value if isinstance(value, list) else [value])
        return data


def render_form(macros, exercise, answers=None, errors=None):
    answers = answers or {}
    return "".join(
        str(macros.exercise_field(f, answers.get(f.key), errors or {}, options(exercise).get(f.key)))
        for f in exercise.fields
    )


def sample_value(f):
    """A valid answer a person might give, with characters that need escaping."""
    if f.kind == "short_text":
        return "Tea on the table & a <smile>"
    if f.kind == "long_text":
        return 'We laughed.\nShe said "again?" & I said yes.'
    if f.kind == "scale":
        return 6
    if f.kind == "date":
        return "2025-03-14"
    count = max(f.min_items or 0, 2)
    if f.kind == "list":
        return [f"thing {i} <b>&</b>" for i in range(1, count + 1)]
    if f.kind == "ranked":
        return [*reversed(f.suggestions[: count - 1]), "being silly together"]
    if f.kind == "repeated":
        return [{s.key: sample_value(s) for s in f.subfields} for _ in range(f.min_items or 1)]
    if f.kind == "picks":
        return [{"pick": o.key, "label": o.label, **{s.key: sample_value(s) for s in f.subfields}}
                for o in PICKS[: f.min_items or 1]]
    raise AssertionError(f.kind)


def sample_answers(exercise):
    return {f.key: sample_value(f) for f in exercise.fields}


# ---- naming convention and rendering -------------------------------------------------------


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_every_field_renders_inputs_named_by_the_convention(macros, exercise):
    form = Form(render_form(macros, exercise))
    names = form.names()
    for f in exercise.fields:
        if f.kind in ("short_text", "long_text", "date"):
            assert names.count(f"a-{f.key}") == 1
        elif f.kind == "scale":
            radios = form.by_name(f"a-{f.key}")
            assert [r["value"] for r in radios] == [str(n) for n in range(1, 11)]
            assert all(r["type"] == "radio" for r in radios)
        elif f.kind in ("list", "ranked"):
            expected = min(max(f.min_items or 0, 3), f.max_items or 99)
            assert names.count(f"a-{f.key}") == expected
        elif f.kind == "repeated":
            groups = max(f.min_items or 0, 1)
            for i in range(groups):
                for s in f.subfields:
                    assert f"a-{f.key}-{i}-{s.key}" in names
        elif f.kind == "picks":
            boxes = form.by_name(f"a-{f.key}")
            assert [b["value"] for b in boxes] == [o.key for o in PICKS]
            assert all(b["type"] == "checkbox" for b in boxes)
            for o in PICKS:
                for s in f.subfields:
                    assert f"a-{f.key}-{o.key}-{s.key}" in names
        else:
            raise AssertionError(f.kind)
    assert set(names) >= {input_name(f.key) for f in exercise.fields if f.kind != "repeated"}


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_forms_are_accessible_and_never_block_a_draft(macros, exercise):
    answers = sample_answers(exercise)
    errors = {f.key: "Please look at this again." for f in exercise.fields}
    html = render_form(macros, exercise, answers, errors)
    form = Form(html)
    assert len(form.ids) == len(set(form.ids)), "ids must be unique"
    assert set(form.label_for) <= set(form.ids), "every label points at a control"
    for _tag, a in form.controls:
        assert "required" not in a and "maxlength" not in a
        for ref in a.get("aria-describedby", "").split():
            assert ref in form.ids
    assert "<script" not in html and "<smile>" not in html


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_what_is_rendered_and_posted_back_comes_out_unchanged(macros, exercise):
    answers = sample_answers(exercise)
    posted = Form(render_form(macros, exercise, answers)).submit()
    parsed, errors = parse_answers(exercise, posted, final=True, options=options(exercise))
    assert errors == {}
    assert parsed == answers


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_a_blank_form_saves_as_an_empty_draft_but_cannot_be_submitted(macros, exercise):
    posted = Form(render_form(macros, exercise)).submit()
    draft, draft_errors = parse_answers(exercise, posted, final=False, options=options(exercise))
    assert draft_errors == {}
    assert draft == empty_answers(exercise)
    assert is_empty(draft)
    _final, final_errors = parse_answers(exercise, posted, final=True, options=options(exercise))
    # A picks field with an or_field: one of the two is asked for, the message beside the picks.
    required = {f.key for f in exercise.fields if f.required or f.min_items or f.or_field}
    assert set(final_errors) == required


def test_scale_renders_ten_large_radio_choices_with_the_current_one_checked(macros):
    f = catalogue.get("scale-placement").field("value")
    html = str(macros.exercise_field(f, 7, {}))
    form = Form(html)
    checked = [a["value"] for a in form.by_name("a-value") if "checked" in a]
    assert checked == ["7"]
    assert 'class="scale-options"' in html and "<fieldset" in html and "<legend>" in html
    assert form.label_for == [f"a-value-{n}" for n in range(1, 11)]


def test_long_text_is_a_five_row_textarea_and_date_a_date_input(macros):
    ex = catalogue.get("exception-log")
    form = Form(render_form(macros, ex, {"date": "2025-01-02", "context": "At the park"}))
    (date,) = form.by_name("a-date")
    assert date["type"] == "date" and date["value"] == "2025-01-02"
    (context,) = form.by_name("a-context")
    assert context["rows"] == "5" and context["value"] == "At the park"


@pytest.mark.parametrize(
    ("key", "field_key", "existing", "expected"),
    [
        ("coping-list", "ways", 0, 3),
        ("coping-list", "ways", 4, 6),
        ("action-menu", "actions", 0, 10),
        ("action-menu", "actions", 19, 20),
        ("action-menu", "actions", 25, 25),  # over the limit: still show everything typed
        ("prevention-plan", "early_signs", 9, 10),
    ],
)
def test_list_shows_enough_empty_lines(macros, key, field_key, existing, expected):
    f = catalogue.get(key).field(field_key)
    items = [f"item {i}" for i in range(existing)]
    form = Form(str(macros.exercise_field(f, items, {})))
    inputs = form.by_name(f"a-{field_key}")
    assert len(inputs) == expected
    assert [a["value"] for a in inputs[:existing]] == items
    assert form.label_for[:2] == [f"a-{field_key}-0", f"a-{field_key}-1"]


def test_ranked_values_are_numbered_with_suggestions_offered(macros):
    f = catalogue.get("value-ranking").field("values")
    html = str(macros.exercise_field(f, ["trust", "fun"], {}))
    form = Form(html)
    inputs = form.by_name("a-values")
    assert len(inputs) == 5
    assert all(a["list"] == "a-values-options" for a in inputs)
    assert ">1.</label>" in html and ">5.</label>" in html
    assert "<datalist" in html and '<option value="honesty">' in html
    assert "honesty, respect, warmth" in form.text_by_id["a-values-suggestions"]


@pytest.mark.parametrize(
    ("key", "field_key", "existing", "expected"),
    [
        ("commitment-experiment", "experiments", 0, 1),
        ("commitment-experiment", "experiments", 1, 2),
        ("commitment-experiment", "experiments", 2, 2),
        ("micro-experiment", "days", 0, 3),
        ("exception-deep-description", "moments", 0, 3),
        ("exception-deep-description", "moments", 3, 4),
        ("exception-deep-description", "moments", 5, 5),
    ],
)
def test_repeated_groups_render_one_fieldset_per_entry(macros, key, field_key, existing, expected):
    f = catalogue.get(key, 1).field(field_key)  # the first versions: repeated groups throughout
    groups = [{f.subfields[0].key: "x"} for _ in range(existing)]
    html = str(macros.exercise_field(f, groups, {}))
    assert html.count('<fieldset class="group"') == expected
    assert [f"Entry {n}" in html for n in (1, expected, expected + 1)] == [True, True, False]
    names = Form(html).names()
    assert f"a-{field_key}-{expected - 1}-{f.subfields[-1].key}" in names
    assert f"a-{field_key}-{expected}-{f.subfields[0].key}" not in names


# ---- validation, kind by kind --------------------------------------------------------------


def post(**fields):
    data = MultiDict()
    for name, value in fields.items():
        for v in value if isinstance(value, list) else [value]:
            data.add(name.replace("__", "-"), v)
    return data


def test_short_text_that_is_too_long_is_refused_but_kept():
    ex = catalogue.get("value-ranking")
    long_focus = "kindness " * 30
    answers, errors = parse_answers(ex, post(**{"a-focus_value": long_focus}), final=False)
    assert answers["focus_value"] == long_focus.strip()
    assert errors["focus_value"].startswith("Please keep this to 200 characters or fewer")
    assert "269" in errors["focus_value"]


def test_long_text_is_required_only_when_submitting():
    ex = catalogue.get("feedback-loop")
    form = post(**{"a-tried": "  A walk after dinner \r\n every day  "})
    draft, draft_errors = parse_answers(ex, form, final=False)
    assert draft_errors == {}
    assert draft["tried"] == "A walk after dinner \n every day"
    _final, errors = parse_answers(ex, form, final=True)
    assert set(errors) == {"happened", "learned", "adjustment"}
    assert errors["happened"] == "Please write something here before you submit."


def test_long_text_limit_is_5000_characters():
    ex = catalogue.get("feedback-loop")
    answers, errors = parse_answers(ex, post(**{"a-tried": "x" * 5001}), final=False)
    assert len(answers["tried"]) == 5001 and "5000" in errors["tried"]
    _answers, errors = parse_answers(ex, post(**{"a-tried": "x" * 5000}), final=False)
    assert "tried" not in errors


@pytest.mark.parametrize("raw", ["0", "11", "seven", "5.5", "-3", "+4"])
def test_scale_outside_1_to_10_is_refused_and_kept(raw):
    ex = catalogue.get("scale-placement")
    for final in (False, True):
        answers, errors = parse_answers(ex, post(**{"a-value": raw}), final=final)
        assert answers["value"] == raw
        assert errors == {"value": "Please choose a number from 1 to 10."}


@pytest.mark.parametrize(("raw", "value"), [("1", 1), (" 10 ", 10), ("07", 7)])
def test_scale_accepts_whole_numbers_1_to_10(raw, value):
    ex = catalogue.get("scale-placement")
    answers, errors = parse_answers(ex, post(**{"a-value": raw}), final=True)
    assert errors == {} and answers["value"] == value


def test_scale_may_be_left_empty_in_a_draft_only():
    ex = catalogue.get("scale-placement")
    answers, errors = parse_answers(ex, post(), final=False)
    assert errors == {} and answers["value"] is None
    _answers, errors = parse_answers(ex, post(), final=True)
    assert errors == {"value": "Please choose a number from 1 to 10."}


@pytest.mark.parametrize("raw", ["2025-02-30", "14/03/2025", "yesterday", "2025-3-14"])
def test_impossible_dates_are_refused_and_kept(raw):
    ex = catalogue.get("exception-log")
    answers, errors = parse_answers(ex, post(**{"a-date": raw}), final=False)
    assert answers["date"] == raw
    assert errors["date"].startswith("Please enter a real date")


def test_exception_entry_needs_a_date_and_context_to_submit():
    ex = catalogue.get("exception-log")
    answers, errors = parse_answers(
        ex, post(**{"a-date": "2025-03-14", "a-feelings": "lighter"}), final=True
    )
    assert answers["date"] == "2025-03-14" and answers["feelings"] == "lighter"
    assert set(errors) == {"context"}


def test_list_drops_empty_lines_and_keeps_order():
    ex = catalogue.get("coping-list")
    form = post(**{"a-ways": ["  run ", "", "call Sam", "   ", "write a letter"]})
    answers, errors = parse_answers(ex, form, final=True)
    assert errors == {}
    assert answers["ways"] == ["run", "call Sam", "write a letter"]


def test_list_minimum_is_checked_on_submit_not_on_draft():
    ex = catalogue.get("coping-list", 1)  # version 1 asked for three
    form = post(**{"a-ways": ["run", ""]})
    answers, errors = parse_answers(ex, form, final=False)
    assert errors == {} and answers["ways"] == ["run"]
    _answers, errors = parse_answers(ex, form, final=True)
    assert errors == {"ways": "Please list at least 3 ways of coping — you have 1 so far."}


def test_the_coping_list_accepts_a_single_way_of_coping():
    for locale in ("en", "zh_Hans"):
        ex = catalogue.get("coping-list", locale=locale)
        answers, errors = parse_answers(ex, post(**{"a-ways": ["跑步", ""]}), final=True)
        assert errors == {} and answers["ways"] == ["跑步"]
    _answers, errors = parse_answers(catalogue.get("coping-list"), post(), final=True)
    assert errors == {"ways": "Please add at least one before you submit."}


def test_list_maximum_and_item_length_are_checked_even_on_draft():
    ex = catalogue.get("action-menu")
    many = [f"action {i}" for i in range(21)]
    answers, errors = parse_answers(ex, post(**{"a-actions": many}), final=False)
    assert answers["actions"] == many
    assert errors == {
        "actions": "Please keep it to 20 actions at most — you have 21 at the moment."
    }
    items = ["hug", "y" * 201]
    answers, errors = parse_answers(ex, post(**{"a-actions": items}), final=False)
    assert answers["actions"] == items
    assert "number 2 is 201" in errors["actions"]


def test_ranked_values_need_five_distinct_ones_to_submit():
    ex = catalogue.get("value-ranking")
    fields = {"a-focus_value": "trust", "a-why": "because", "a-one_act": "text at noon"}
    three = post(**fields, **{"a-values": ["trust", "fun", "honesty"]})
    answers, errors = parse_answers(ex, three, final=True)
    assert answers["values"] == ["trust", "fun", "honesty"]
    assert errors == {"values": "Please list at least 5 values — you have 3 so far."}
    assert parse_answers(ex, three, final=False)[1] == {}

    twice = post(**fields, **{"a-values": ["trust", "fun", "Trust", "warmth", "humour"]})
    _answers, errors = parse_answers(ex, twice, final=True)
    assert "twice" in errors["values"] and "Trust" in errors["values"]

    own_words = ["being silly", "trust", "fun", "honesty", "warmth", "a quiet home"]
    answers, errors = parse_answers(ex, post(**fields, **{"a-values": own_words}), final=True)
    assert errors == {} and answers["values"] == own_words


def test_ranked_values_are_capped_at_ten():
    ex = catalogue.get("value-ranking")
    eleven = [f"value {i}" for i in range(11)]
    answers, errors = parse_answers(ex, post(**{"a-values": eleven}), final=False)
    assert answers["values"] == eleven and "at most" in errors["values"]


def _deep(i, moment="", context="", **more):
    return {f"a-moments-{i}-moment": moment, f"a-moments-{i}-context": context} | {
        f"a-moments-{i}-{k}": v for k, v in more.items()
    }


def test_repeated_groups_drop_blank_entries_and_renumber():
    ex = catalogue.get("exception-deep-description", 1)
    form = MultiDict(
        _deep(0) | _deep(1, "Sunday cooking", "kitchen", body="warm") | _deep(2) | _deep(3, "walk")
    )
    answers, errors = parse_answers(ex, form, final=False)
    assert errors == {}
    assert [g["moment"] for g in answers["moments"]] == ["Sunday cooking", "walk"]
    assert answers["moments"][0]["body"] == "warm"
    assert answers["moments"][1]["context"] == ""


def test_repeated_groups_are_checked_per_entry_on_submit():
    ex = catalogue.get("exception-deep-description", 1)
    form = MultiDict(_deep(0, "Sunday cooking", "kitchen") | _deep(1) | _deep(2, "walk"))
    answers, errors = parse_answers(ex, form, final=True)
    assert errors == {
        "moments": "Please fill in at least 3 moments — you have 2 so far.",
        "moments.1.context": "Please write something here before you submit.",
    }
    assert answers["moments"][1] == {
        "moment": "walk",
        "context": "",
        "thoughts": "",
        "actions": "",
        "body": "",
        "capacity": "",
        "more_of_it": "",
    }


def test_repeated_group_subfield_types_are_checked_even_on_draft():
    ex = catalogue.get("micro-experiment")
    form = MultiDict({"a-days-0-day": "2025-02-31", "a-days-0-tried": "a kind word"})
    answers, errors = parse_answers(ex, form, final=False)
    assert errors == {"days.0.day": "Please enter a real date, like 2025-03-14 (year, month, day)."}
    assert answers["days"] == [{"day": "2025-02-31", "tried": "a kind word", "noticed": ""}]


def test_commitment_allows_at_most_two_experiments():
    ex = catalogue.get("commitment-experiment")
    form = MultiDict({f"a-experiments-{i}-action": f"try {i}" for i in range(3)})
    answers, errors = parse_answers(ex, form, final=False)
    assert len(answers["experiments"]) == 3
    assert errors["experiments"].startswith("Please keep it to 2 experiments at most")


def test_invisible_junk_is_cleaned_from_text():
    ex = catalogue.get("feedback-loop")
    answers, _errors = parse_answers(ex, post(**{"a-tried": "a\x00b\r\nc"}), final=False)
    assert answers["tried"] == "ab\nc"


# ---- nothing typed is lost when there are errors -------------------------------------------


def test_a_form_with_errors_rerenders_with_everything_typed_and_the_messages(macros):
    ex = catalogue.get("value-ranking")
    typed = post(
        **{
            "a-values": ["trust", "", "fun <3"],
            "a-focus_value": "trust & care",
            "a-why": "It is what\nwe lost",
            "a-one_act": "",
        }
    )
    answers, errors = parse_answers(ex, typed, final=True)
    assert set(errors) == {"values", "one_act"}

    html = render_form(macros, ex, answers, errors)
    form = Form(html)
    assert [a["value"] for a in form.by_name("a-values")][:2] == ["trust", "fun <3"]
    assert form.by_name("a-focus_value")[0]["value"] == "trust & care"
    assert form.by_name("a-why")[0]["value"] == "It is what\nwe lost"
    assert form.text_by_id["a-values-error"] == errors["values"]
    assert form.text_by_id["a-one_act-error"] == errors["one_act"]
    (one_act,) = form.by_name("a-one_act")
    assert one_act["aria-invalid"] == "true"
    assert one_act["aria-describedby"].split()[0] == "a-one_act-error"
    assert "aria-invalid" not in form.by_name("a-why")[0]
    assert 'class="field field-short_text has-error"' in html

    # Posting the re-rendered form again gives back exactly what was typed.
    again, again_errors = parse_answers(ex, form.submit(), final=True)
    assert again == answers and again_errors == errors


def test_repeated_errors_show_next_to_the_right_entry(macros):
    ex = catalogue.get("micro-experiment")
    typed = MultiDict(
        {
            "a-plan": "one kind gesture a day",
            "a-days-0-day": "2025-02-31",
            "a-days-0-tried": "tea",
            "a-days-0-noticed": "a smile",
        }
    )
    answers, errors = parse_answers(ex, typed, final=True)
    html = render_form(macros, ex, answers, errors)
    form = Form(html)
    assert form.text_by_id["a-days-0-day-error"].startswith("Please enter a real date")
    assert form.text_by_id["a-days-error"] == "Please fill in at least 3 days — you have 1 so far."
    (day,) = form.by_name("a-days-0-day")
    assert day["value"] == "2025-02-31" and day["aria-invalid"] == "true"
    assert form.by_name("a-days-0-noticed")[0]["value"] == "a smile"
    assert "aria-invalid" not in form.by_name("a-days-1-day")[0]


def test_an_invalid_scale_choice_is_reported_on_the_radio_group(macros):
    ex = catalogue.get("scale-placement")
    answers, errors = parse_answers(ex, post(**{"a-value": "12"}), final=True)
    form = Form(str(macros.exercise_field(ex.field("value"), answers["value"], errors)))
    radios = form.by_name("a-value")
    assert not any("checked" in r for r in radios)
    assert all(r["aria-invalid"] == "true" for r in radios)
    assert form.text_by_id["a-value-error"] == "Please choose a number from 1 to 10."


# ---- read-only view for the clinician ------------------------------------------------------


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_answer_view_from_a_snapshot_matches_the_live_catalogue(macros, exercise):
    answers = sample_answers(exercise)
    live = str(macros.answers_view(exercise.fields, answers))
    stored = str(macros.answers_view(exercise.snapshot()["fields"], answers))
    assert live == stored
    assert live.count("<dt>") >= len(exercise.fields)
    assert "<smile>" not in live


def test_answer_view_shows_each_kind_readably(macros):
    scale = catalogue.get("scale-placement")
    html = str(macros.answers_view(scale.fields, {"value": 4, "movement": "up\ndown"}))
    assert "<dd>4 out of 10</dd>" in html
    assert "up<br>down" in html
    assert html.count("Not answered") == 2

    ranked = catalogue.get("value-ranking").field("values")
    html = str(macros.answer_view(ranked, ["trust", "<fun>"]))
    assert "<ol" in html and "<li>trust</li>" in html and "<li>&lt;fun&gt;</li>" in html

    moments = catalogue.get("exception-deep-description", 1).field("moments")
    html = str(macros.answer_view(moments, [{"moment": "walk", "body": "calm"}]))
    assert "Entry 1" in html and "Which moment?" in html and "<dd>walk</dd>" in html


def test_an_old_submission_shows_the_prompts_it_answered(macros):
    snapshot = catalogue.get("hope-question").snapshot()
    snapshot["fields"][0]["label"] = "An old wording of the hope question"
    del snapshot["fields"][0]["help"]  # older snapshots may lack newer keys
    html = str(macros.answers_view(snapshot["fields"], {"a_little_better": "we talk"}))
    assert "<dt>An old wording of the hope question</dt>" in html
    assert "<dd>we talk</dd>" in html


def test_empty_answer_helpers():
    ex = catalogue.get("micro-experiment")
    assert empty_answers(ex) == {"plan": "", "days": [], "learning": ""}
    assert is_empty(empty_answers(ex)) and is_empty({}) and is_empty(None)
    assert not is_empty({"plan": "", "days": [{"day": "2025-01-01"}], "learning": ""})
    assert not is_empty({"value": 1})
