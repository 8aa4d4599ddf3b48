"""The catalogue's data files: a bad edit is refused by file and key, new versions and
translations are data-only changes."""

import re
import shutil
from importlib import resources
from pathlib import Path

import pytest

from clinic.exercises import catalogue
from clinic.exercises.catalogue import CatalogueError

HOPE_V2 = """
[[exercise]]
key = "hope-question"
version = 2
mode = "individual"
title.en = "A little better by tonight"
purpose.en = "To picture a small change."

[[exercise.field]]
key = "tonight"
kind = "long_text"
label.en = "What would tonight look like, a little better?"
"""


@pytest.fixture
def data(tmp_path) -> Path:
    """A copy of the shipped stage files to edit."""
    for source in resources.files(catalogue).iterdir():
        if source.name.endswith(".toml"):
            shutil.copyfile(source, tmp_path / source.name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def drop_line(path: Path, start: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(start)]
    assert len(kept) == len(lines) - 1, f"{start!r} does not start exactly one line of {path.name}"
    path.write_text("".join(kept), encoding="utf-8")


def blocks(path: Path) -> list[str]:
    """The file's head, then one piece per [[exercise]]."""
    head, *exercises = path.read_text(encoding="utf-8").split("\n[[exercise]]\n")
    return [head, *("[[exercise]]\n" + e for e in exercises)]


def test_the_copy_loads_as_the_shipped_catalogue(data):
    loaded = catalogue.load(data)
    assert loaded.all_exercises() == catalogue.all_exercises()
    assert loaded.stages() == catalogue.STAGES


def drop_second_exercise(path: Path) -> None:
    head, first, _second, third = blocks(path)
    path.write_text("\n".join((head, first, third)), encoding="utf-8")


def publish_twice(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + blocks(path)[3], encoding="utf-8")


BREAKAGES = [
    ("1-partnership.toml", lambda p: edit(p, 'key = "partnership"', 'key = "partnership'),
     ["1-partnership.toml: not valid TOML"]),
    ("1-partnership.toml", lambda p: edit(p, "required = false", "requried = false"),
     ["1-partnership.toml: exercise 'relationship-narrative' v1, field 'anything_else': "
      "unknown key 'requried'"]),
    ("2-resources.toml", lambda p: edit(p, "min_items = 3", 'min_items = "3"'),
     ["2-resources.toml: exercise 'coping-list' v1, field 'ways': min_items must be a whole number"]),
    ("1-partnership.toml", lambda p: drop_line(p, 'label.en = "What matters most'),
     ["1-partnership.toml: exercise 'relationship-narrative' v1, field 'matters': "
      "label needs its English text"]),
    ("1-partnership.toml", lambda p: edit(p, 'summary.en = "', 'summary.zh-Hans = "x"\nsummary.en = "'),
     ["1-partnership.toml: summary.zh-Hans: unknown language"]),
    ("1-partnership.toml", lambda p: edit(p, 'title.en = "Your relationship story"', 'title.en = " "'),
     ["exercise 'relationship-narrative' v1: title.en must be a text that is not blank"]),
    ("1-partnership.toml", lambda p: edit(p, 'kind = "date"', 'kind = "essay"'),
     ["1-partnership.toml: exercise 'listening-practice' v1, field 'done_on': unknown kind 'essay'"]),
    ("1-partnership.toml", lambda p: edit(p, 'mode = "joint"', 'mode = "together"'),
     ["1-partnership.toml: exercise 'listening-practice' v1: unknown mode 'together'"]),
    ("1-partnership.toml", lambda p: edit(p, 'key = "struggles"', 'key = "matters"'),
     ["1-partnership.toml: exercise 'relationship-narrative' v1: duplicate field keys"]),
    ("4-exceptions.toml", lambda p: edit(p, 'key = "day"\nkind = "date"', 'key = "day"\nkind = "list"'),
     ["4-exceptions.toml: exercise 'micro-experiment' v1, field 'days', field 'day': "
      "a subfield must be one of"]),
    ("3-vision.toml", lambda p: edit(p, 'record = "scale"\n', ""),
     ["expected exactly one scale record exercise, found []"]),
    ("1-partnership.toml", drop_second_exercise, ["stage 1 has 2 current exercises, expected 3"]),
    ("1-partnership.toml", publish_twice,
     ["1-partnership.toml: exercise 'hope-question' v1: published twice (also in 1-partnership.toml)"]),
    ("1-partnership.toml", lambda p: p.rename(p.with_name("1-partners.toml")),
     ["1-partners.toml: a stage's file is named after its number and key: 1-partnership.toml"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "breakage", "messages"), BREAKAGES)
def test_a_malformed_file_is_refused_naming_the_file_and_the_key(data, name, breakage, messages):
    breakage(data / name)

    with pytest.raises(CatalogueError) as refused:
        catalogue.load(data)

    text = str(refused.value)
    assert text.startswith("Exercise catalogue is invalid:")
    for message in messages:
        assert message in text


def test_every_problem_is_listed_at_once(data):
    edit(data / "2-resources.toml", "min_items = 3", 'min_items = "3"')
    edit(data / "5-action.toml", "version = 1", 'version = "1"')

    with pytest.raises(CatalogueError) as refused:
        catalogue.load(data)

    assert re.findall(r"^- (\S+\.toml)", str(refused.value), re.M) == [
        "2-resources.toml", "5-action.toml",
    ]


def test_a_new_version_is_added_as_data_and_the_old_one_stays_retrievable(data):
    partnership = data / "1-partnership.toml"
    partnership.write_text(partnership.read_text(encoding="utf-8") + HOPE_V2, encoding="utf-8")

    loaded = catalogue.load(data)

    new = loaded.get("hope-question")
    assert (new.version, [f.key for f in new.fields]) == (2, ["tonight"])
    assert loaded.versions("hope-question") == [1, 2]
    assert [ex for ex in loaded.all_exercises() if ex.key == "hope-question"] == [new]
    assert [ex.key for ex in loaded.for_stage(1)][2] == "hope-question"  # keeps its place
    # The old prompts are still there for a submission made against version 1.
    old = loaded.get("hope-question", 1)
    assert old == catalogue.get("hope-question")
    assert "What would tonight look like, a little better?" not in [f.label for f in old.fields]


def test_a_translation_beside_the_english_is_picked_by_locale(data):
    loaded = catalogue.load(data)

    chinese = loaded.get("hope-question", locale="zh_Hans")
    english = loaded.get("hope-question")
    assert (chinese.title, english.title) == ("到今晚，好一点点", "A little better by tonight")
    assert (chinese.locale, english.locale) == ("zh_Hans", "en")
    label = chinese.snapshot()["fields"][0]["label"]
    assert label == "想象一下，到今晚，你们之间的情况好了一点点。会有什么不一样？"
    assert loaded.get("hope-question", locale="zh_Hans_CN").title == "到今晚，好一点点"
    assert loaded.get("hope-question", locale="zh-Hans").title == "到今晚，好一点点"
    assert loaded.get("hope-question", locale="fr").title == "A little better by tonight"
    assert loaded.stage(1, locale="zh-Hans").title == "建立合作关系"
    assert loaded.untranslated("zh_Hans") == []


def test_a_text_without_its_chinese_is_shown_in_english_and_listed(data):
    drop_line(data / "1-partnership.toml", 'purpose.zh_Hans = "把注意力')
    drop_line(data / "4-exceptions.toml", 'help.zh_Hans = "写几个字')

    loaded = catalogue.load(data)

    hope = loaded.get("hope-question", locale="zh_Hans")
    assert hope.purpose == loaded.get("hope-question").purpose  # English, not nothing
    assert hope.title == "到今晚，好一点点"
    assert loaded.untranslated("zh_Hans") == [
        "1-partnership.toml: exercise 'hope-question' v1: purpose",
        "4-exceptions.toml: exercise 'exception-deep-description' v1, field 'moments', "
        "field 'moment': help",
    ]
    assert loaded.untranslated("en") == []


def test_suggestions_list_the_same_number_in_every_language(data):
    edit(data / "3-vision.toml", '  "忠诚",\n]', "]")

    with pytest.raises(CatalogueError) as refused:
        catalogue.load(data)

    assert ("3-vision.toml: exercise 'value-ranking' v1, field 'values': "
            "suggestions.zh_Hans has 15 items, the English 16") in str(refused.value)
