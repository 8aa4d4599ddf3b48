"""The exercise catalogue: stages, exercises, records, versions and snapshots."""

import json
import re
from pathlib import Path

import pytest

from clinic.exercises import catalogue
from clinic.exercises.catalogue import Field

ROOT = Path(__file__).parents[2]

EXPECTED = {
    1: ["relationship-narrative", "listening-practice", "hope-question"],
    2: ["coping-list", "strength-exploration", "exception-log"],
    3: ["miracle-question", "scale-placement", "value-ranking"],
    4: ["exception-deep-description", "pattern-recognition", "micro-experiment"],
    5: ["action-menu", "commitment-experiment", "feedback-loop"],
    6: ["progress-narrative", "prevention-plan", "celebration-meaning"],
}


def test_six_stages_in_order_with_their_days():
    stages = catalogue.STAGES
    assert [s.number for s in stages] == [1, 2, 3, 4, 5, 6]
    assert [s.title for s in stages] == [
        "Partnership building",
        "Resource identification",
        "Vision clarification",
        "Exception amplification",
        "Action construction",
        "Consolidation & maintenance",
    ]
    dash = "\N{EN DASH}"
    assert [s.days.split(dash) for s in stages] == [
        ["1", "7"],
        ["8", "14"],
        ["15", "21"],
        ["22", "28"],
        ["29", "35"],
        ["36", "40+"],
    ]
    assert all(s.summary.strip() for s in stages)
    assert catalogue.stage(4).title == "Exception amplification"
    with pytest.raises(KeyError):
        catalogue.stage(7)


def test_three_exercises_per_stage_as_in_the_product_table():
    for number, keys in EXPECTED.items():
        assert [ex.key for ex in catalogue.for_stage(number)] == keys
    everything = catalogue.all_exercises()
    assert [ex.key for ex in everything] == [k for keys in EXPECTED.values() for k in keys]
    assert len({ex.key for ex in everything}) == 18
    with pytest.raises(KeyError):
        catalogue.for_stage(0)


def test_only_listening_practice_is_done_only_together():
    joint = [ex.key for ex in catalogue.all_exercises() if ex.mode == "joint"]
    assert joint == ["listening-practice"]
    assert catalogue.get("listening-practice").is_joint
    assert {ex.mode for ex in catalogue.all_exercises()} == {"individual", "joint", "either"}


def test_exception_log_is_a_running_record_with_its_six_fields():
    ex = catalogue.get("exception-log")
    assert ex.record == "exception" and ex.stage == 2
    kinds = {f.key: f.kind for f in ex.fields}
    assert kinds == {
        "date": "date",
        "context": "long_text",
        "behaviour": "long_text",
        "thoughts": "long_text",
        "feelings": "long_text",
        "meaning": "long_text",
    }
    assert ex.field("date").required and ex.field("context").required


def test_scale_placement_is_a_running_record_with_a_1_to_10_value():
    ex = catalogue.get("scale-placement")
    assert ex.record == "scale" and ex.stage == 3
    assert [f.key for f in ex.fields] == ["value", "movement", "keeps_from_lower", "one_higher"]
    assert ex.field("value").kind == "scale" and ex.field("value").required
    assert not any(f.required for f in ex.fields[1:])
    records = [ex.key for ex in catalogue.all_exercises() if ex.record]
    assert records == ["exception-log", "scale-placement"]


def test_value_ranking_offers_suggested_values_and_a_focus():
    ex = catalogue.get("value-ranking")
    values = ex.field("values")
    assert values.kind == "ranked"
    assert (values.min_items, values.max_items) == (5, 10)
    assert {"honesty", "kindness", "playfulness", "respect", "humour"} <= set(values.suggestions)
    assert len(values.suggestions) >= 10
    assert [f.kind for f in ex.fields[1:]] == ["short_text", "long_text", "short_text"]


@pytest.mark.parametrize(
    ("key", "version", "field_key", "kind", "low", "high"),
    [
        ("coping-list", None, "ways", "list", None, 30),
        ("action-menu", None, "actions", "list", 10, 20),
        ("exception-deep-description", 1, "moments", "repeated", 3, 5),
        # Picked from the partner's own log: three to five of them.
        ("exception-deep-description", None, "moments", "picks", 3, 5),
        ("micro-experiment", None, "days", "repeated", 3, 3),
        ("commitment-experiment", 2, "experiments", "repeated", 1, 2),
        # One or two from their own menu, or in their own words (either is enough).
        ("commitment-experiment", None, "from_menu", "picks", None, 2),
        ("commitment-experiment", None, "experiments", "repeated", None, 2),
    ],
)
def test_counted_fields_have_the_agreed_limits(key, version, field_key, kind, low, high):
    f = catalogue.get(key, version).field(field_key)
    assert (f.kind, f.min_items, f.max_items) == (kind, low, high)


def test_picks_come_from_the_partners_own_log_and_menu():
    deep = catalogue.get("exception-deep-description").field("moments")
    assert (deep.source, deep.required, deep.or_field) == ("exception_log", True, None)
    assert catalogue.get("exception-deep-description").mode == "individual"
    menu = catalogue.get("commitment-experiment").field("from_menu")
    assert (menu.source, menu.required, menu.or_field) == ("action_menu", False, "experiments")
    assert [s.key for s in menu.subfields] == ["hope_to_learn", "how_know"]


def test_repeated_groups_ask_the_right_things():
    deep = catalogue.get("exception-deep-description", 1).field("moments")
    assert [s.key for s in deep.subfields] == [
        "moment",
        "context",
        "thoughts",
        "actions",
        "body",
        "capacity",
        "more_of_it",
    ]
    assert deep.subfields[0].kind == "short_text"
    picked = catalogue.get("exception-deep-description").field("moments")
    assert [s.key for s in picked.subfields] == [
        "context", "thoughts", "actions", "body", "capacity", "more_of_it",
    ]  # the moment itself is picked, not named
    micro = catalogue.get("micro-experiment")
    assert [s.key for s in micro.field("days").subfields] == ["day", "tried", "noticed"]
    assert micro.field("days").subfields[0].kind == "date"
    assert micro.field("learning").kind == "long_text"
    commit = catalogue.get("commitment-experiment").field("experiments")
    assert [s.key for s in commit.subfields] == ["action", "hope_to_learn", "how_know"]


def test_field_text_limits_default_by_kind():
    assert Field("a", "A", "short_text").limit == 200
    assert Field("a", "A", "long_text").limit == 5000
    assert Field("a", "A", "list").limit == 200
    assert Field("a", "A", "long_text", max_length=50).limit == 50
    assert Field("a", "A", "scale").limit is None


def test_get_returns_current_version_and_rejects_unknown():
    ex = catalogue.get("miracle-question")
    assert ex.key == "miracle-question" and ex.version == 1
    assert catalogue.get("miracle-question", 1) is ex
    with pytest.raises(KeyError):
        catalogue.get("no-such-exercise")
    with pytest.raises(KeyError):
        catalogue.get("miracle-question", 99)


def test_snapshot_is_plain_json_with_prompts_and_subfields():
    for ex in catalogue.all_exercises():
        snap = ex.snapshot()
        assert json.loads(json.dumps(snap)) == snap
        assert (snap["key"], snap["version"], snap["title"]) == (ex.key, ex.version, ex.title)
        assert [f["key"] for f in snap["fields"]] == [f.key for f in ex.fields]
        for f, data in zip(ex.fields, snap["fields"], strict=True):
            assert (data["label"], data["kind"], data["help"]) == (f.label, f.kind, f.help)
            assert [s["key"] for s in data["subfields"]] == [s.key for s in f.subfields]
    deep = catalogue.get("exception-deep-description", 1).snapshot()["fields"][0]
    assert deep["subfields"][0]["label"] == "Which moment?"
    picked = catalogue.get("exception-deep-description").snapshot()["fields"][0]
    assert (picked["kind"], picked["source"]) == ("picks", "exception_log")


def test_suggested_first_puts_the_current_stage_first():
    keys = [ex.key for ex in catalogue.suggested_first(4)]
    assert keys[:3] == EXPECTED[4]
    assert keys[3:] == [k for n in (1, 2, 3, 5, 6) for k in EXPECTED[n]]
    assert [ex.key for ex in catalogue.suggested_first(1)] == [
        k for keys in EXPECTED.values() for k in keys
    ]
    with pytest.raises(KeyError):
        catalogue.suggested_first(9)


def _field_texts(f):
    yield f.label
    yield f.help
    yield f.noun
    yield from f.suggestions
    for sub in f.subfields:
        yield from _field_texts(sub)


def _texts(ex):
    yield ex.title
    yield ex.purpose
    yield ex.instructions
    for f in ex.fields:
        yield from _field_texts(f)


def _all_prompt_text(locale="en"):
    for ex in catalogue.all_exercises(locale):
        yield from _texts(ex)
    for s in catalogue.stages(locale):
        yield s.title
        yield s.summary


def _published(locale):
    """Every published version of every exercise, old ones too, in `locale`."""
    return [catalogue.get(k, v, locale=locale) for (k, v) in catalogue.CATALOGUE.registry()]


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_prompts_are_tidy_single_lines(locale):
    untidy = [
        text for text in _all_prompt_text(locale)
        if text != text.strip() or "  " in text or "\n" in text
    ]
    assert untidy == []


CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_text_of_every_published_version_is_in_chinese():
    assert catalogue.untranslated("zh_Hans") == []
    english, chinese = _published("en"), _published("zh_Hans")
    assert [(e.key, e.version) for e in chinese] == [(e.key, e.version) for e in english]
    for en, zh in zip(english, chinese, strict=True):
        assert zh.locale == "zh_Hans" and zh.snapshot()["locale"] == "zh_Hans"
        pairs = list(zip(_texts(en), _texts(zh), strict=True))
        assert [z for e, z in pairs if e and not CJK.search(z)] == [], en.key
    for en, zh in zip(catalogue.stages(), catalogue.stages("zh_Hans"), strict=True):
        assert CJK.search(zh.title) and CJK.search(zh.summary) and zh.days == en.days


def test_the_chinese_reads_as_chinese_text():
    """Full-width punctuation, no English left in, and the collaborative stance's vocabulary."""
    texts = [t for ex in _published("zh_Hans") for t in _texts(ex) if t]
    texts += [t for s in catalogue.stages("zh_Hans") for t in (s.title, s.summary)]
    assert [t for t in texts if re.search(r"[,?!;:()\"']", t)] == []
    assert [t for t in texts if re.search(r"[A-Za-z]", t)] == []
    # No labels on the person: the seeds name difficulties as something met, not something one is.
    labels = ("焦虑型", "回避型", "依恋障碍", "不安全型", "病", "障碍", "缺陷", "失败")
    assert [t for t in texts for word in labels if word in t and "不会失败" not in t] == []


def test_a_snapshot_records_the_language_it_was_shown_in():
    assert catalogue.get("hope-question").snapshot()["locale"] == "en"
    snap = catalogue.get("hope-question", locale="zh_Hans").snapshot()
    assert snap["locale"] == "zh_Hans" and snap["title"] == "到今晚，好一点点"
    assert json.loads(json.dumps(snap, ensure_ascii=False)) == snap


def test_values_offer_safety_and_connection_in_a_new_version():
    assert catalogue.versions("value-ranking") == [1, 2]
    current = catalogue.get("value-ranking").field("values").suggestions
    chinese = catalogue.get("value-ranking", locale="zh_Hans").field("values").suggestions
    assert {"safety", "connection"} <= set(current)
    assert chinese[current.index("safety")] == "安全感"
    assert chinese[current.index("connection")] == "联结"
    # The values the articles name come first, in their order.
    assert current[:10] == ("honesty", "respect", "warmth", "growth", "safety", "freedom",
                            "connection", "support", "fun", "understanding")
    assert len(set(chinese)) == len(chinese) == len(current)
    # Version 1, which earlier submissions answered, is unchanged.
    first = catalogue.get("value-ranking", 1).field("values").suggestions
    assert "safety" not in first and "connection" not in first and first[:2] == ("honesty", "kindness")


def test_the_coping_list_asks_for_no_minimum_from_version_two():
    assert catalogue.versions("coping-list") == [1, 2]
    assert catalogue.get("coping-list").field("ways").min_items is None
    assert catalogue.get("coping-list", 1).field("ways").min_items == 3


def test_prompts_are_in_our_own_words_not_copied_from_the_seed_articles():
    seeds = sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("seed articles not present beside the repository")
    n = 8

    def words(text):
        return re.findall(r"[a-z']+", text.lower())

    seed_words = words(" ".join(p.read_text(encoding="utf-8") for p in seeds))
    seed_runs = {tuple(seed_words[i : i + n]) for i in range(len(seed_words) - n + 1)}
    copied = []
    for text in _all_prompt_text():
        w = words(text)
        runs = (tuple(w[i : i + n]) for i in range(len(w) - n + 1))
        copied += [" ".join(run) for run in runs if run in seed_runs]
    assert copied == []
