"""Reading the catalogue's TOML files (one per stage): every key checked, every text per language."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from importlib.resources.abc import Traversable
from typing import Any

from .schema import (
    DEFAULT_LOCALE,
    LOCALES,
    CatalogueError,
    Exercise,
    Field,
    Stage,
    catalogue_problems,
    exercise_problems,
)

Registry = dict[tuple[str, int], Exercise]  # (key, version) -> that version, in catalogue order


def _whole_number(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool)
    return None if ok else " must be a whole number"


def _string(value: Any) -> str | None:
    return None if isinstance(value, str) else " must be a string"


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else " must be true or false"


def _by_language(is_value: Callable[[Any], bool], what: str) -> Callable[[Any], str | None]:
    """A check for a table of one `what` per language, English required."""

    def check(value: Any) -> str | None:
        if not isinstance(value, dict):
            return ' must be a table by language, e.g. { en = "..." }'
        for locale, text in value.items():
            if locale not in LOCALES:
                return f".{locale}: unknown language (expected one of {', '.join(LOCALES)})"
            if not is_value(text):
                return f".{locale} must be {what}"
        if DEFAULT_LOCALE not in value:
            return f" needs its English text ({DEFAULT_LOCALE} = ...)"
        return None

    return check


_text = _by_language(lambda v: isinstance(v, str) and bool(v.strip()), "a text that is not blank")
_texts = _by_language(
    lambda v: isinstance(v, list) and all(isinstance(s, str) and s.strip() for s in v),
    "a list of texts that are not blank",
)


def _tables(value: Any) -> str | None:
    ok = isinstance(value, list) and all(isinstance(t, dict) for t in value)
    return None if ok else " must be tables ([[...]])"


# What each table may hold: key -> (check, required).
_FIELD = {
    "key": (_string, True), "kind": (_string, True), "label": (_text, True), "help": (_text, False),
    "required": (_boolean, False), "min_items": (_whole_number, False),
    "max_items": (_whole_number, False), "max_length": (_whole_number, False),
    "noun": (_text, False), "suggestions": (_texts, False), "subfield": (_tables, False),
    "source": (_string, False), "or_field": (_string, False),
}  # fmt: skip
_EXERCISE = {
    "key": (_string, True), "version": (_whole_number, True), "mode": (_string, True),
    "record": (_string, False), "title": (_text, True), "purpose": (_text, True),
    "instructions": (_text, False), "field": (_tables, True),
}  # fmt: skip
_STAGE = {
    "number": (_whole_number, True), "key": (_string, True), "days": (_string, True),
    "title": (_text, True), "summary": (_text, True), "exercise": (_tables, True),
}  # fmt: skip


def _shape(table: dict, spec: dict, where: str) -> list[str]:
    problems = [f"{where}: unknown key {name!r}" for name in table if name not in spec]
    for name, (check, required) in spec.items():
        if name not in table:
            if required:
                problems.append(f"{where}: {name!r} is missing")
        elif (problem := check(table[name])) is not None:
            problems.append(f"{where}: {name}{problem}")
    return problems


def _named(kind: str, table: dict, index: int) -> str:
    key = table.get("key")
    return f"{kind} {key!r}" if isinstance(key, str) else f"{kind} #{index + 1}"


def _field_shape(where: str, raw: dict, index: int) -> list[str]:
    at = f"{where}, {_named('field', raw, index)}"
    problems = _shape(raw, _FIELD, at)
    if not problems and "suggestions" in raw:
        # Offered side by side: a language with more or fewer suggestions would be a different list.
        english = len(raw["suggestions"][DEFAULT_LOCALE])
        problems += [
            f"{at}: suggestions.{locale} has {len(texts)} items, the English {english}"
            for locale, texts in raw["suggestions"].items()
            if len(texts) != english
        ]
    if not problems:
        for i, sub in enumerate(raw.get("subfield", ())):
            problems += _field_shape(at, sub, i)
    return problems


def _file_shape(name: str, raw: dict) -> list[str]:
    problems = _shape(raw, _STAGE, name)
    if problems:
        return problems
    expected = f"{raw['number']}-{raw['key']}.toml"
    if name != expected:
        problems.append(f"{name}: a stage's file is named after its number and key: {expected}")
    for index, ex in enumerate(raw["exercise"]):
        where = f"{name}: {_named('exercise', ex, index)}"
        if isinstance(ex.get("version"), int):
            where += f" v{ex['version']}"
        shape = _shape(ex, _EXERCISE, where)
        if not shape:
            for i, f in enumerate(ex["field"]):
                shape += _field_shape(where, f, i)
        problems += shape
    return problems


def _pick(text: dict | None, locale: str) -> Any:
    """The text in `locale`, or in English when it has no translation yet."""
    if text is None:
        return ""
    return text.get(locale, text[DEFAULT_LOCALE])


def _field(raw: dict, locale: str) -> Field:
    return Field(
        key=raw["key"],
        label=_pick(raw["label"], locale),
        kind=raw["kind"],
        help=_pick(raw.get("help"), locale),
        required=raw.get("required", True),
        min_items=raw.get("min_items"),
        max_items=raw.get("max_items"),
        suggestions=tuple(_pick(raw.get("suggestions"), locale)),
        subfields=tuple(_field(sub, locale) for sub in raw.get("subfield", ())),
        max_length=raw.get("max_length"),
        noun=_pick(raw.get("noun"), locale),
        source=raw.get("source"),
        or_field=raw.get("or_field"),
    )


def _exercise(raw: dict, stage: int, locale: str) -> Exercise:
    return Exercise(
        key=raw["key"],
        stage=stage,
        title=_pick(raw["title"], locale),
        purpose=_pick(raw["purpose"], locale),
        mode=raw["mode"],
        version=raw["version"],
        fields=tuple(_field(f, locale) for f in raw["field"]),
        record=raw.get("record"),
        instructions=_pick(raw.get("instructions"), locale),
        locale=locale,
    )


def _stage(raw: dict, locale: str) -> Stage:
    title, summary = _pick(raw["title"], locale), _pick(raw["summary"], locale)
    return Stage(raw["number"], raw["key"], title, raw["days"], summary)


def _texts_without(where: str, table: dict, locale: str) -> list[str]:
    # After _shape, the only tables by name in a table are its texts.
    return [
        f"{where}: {name}"
        for name, value in table.items()
        if isinstance(value, dict) and locale not in value
    ]


def _fields_untranslated(where: str, fields: list[dict], locale: str) -> list[str]:
    missing: list[str] = []
    for index, raw in enumerate(fields):
        at = f"{where}, {_named('field', raw, index)}"
        missing += _texts_without(at, raw, locale)
        missing += _fields_untranslated(at, raw.get("subfield", []), locale)
    return missing


def _untranslated(name: str, raw: dict, locale: str) -> list[str]:
    """Where a stage file's texts have no `locale` version: "file: exercise 'x' v1, field 'y': label"."""
    missing = _texts_without(name, raw, locale)
    for index, ex in enumerate(raw["exercise"]):
        where = f"{name}: {_named('exercise', ex, index)} v{ex['version']}"
        missing += _texts_without(where, ex, locale) + _fields_untranslated(where, ex["field"], locale)
    return missing


def _parse(directory: Traversable) -> list[tuple[str, dict]]:
    """Every stage file as (name, table), in stage order; shape problems raise CatalogueError."""
    problems: list[str] = []
    found: list[tuple[str, dict]] = []
    for path in sorted(directory.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".toml"):
            continue
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            problems.append(f"{path.name}: not valid TOML ({error})")
            continue
        problems += _file_shape(path.name, raw)
        found.append((path.name, raw))
    if not found and not problems:
        problems.append(f"no stage files (*.toml) in {directory}")
    _refuse(problems)
    return sorted(found, key=lambda item: item[1]["number"])


def _refuse(problems: list[str]) -> None:
    if problems:
        raise CatalogueError("Exercise catalogue is invalid:\n- " + "\n- ".join(problems))


Untranslated = dict[str, list[str]]  # language -> where a text lacks it ("file: exercise 'x' v1, ...")


def read(directory: Traversable) -> tuple[dict[str, tuple[Stage, ...]], dict[str, Registry], Untranslated]:
    """Stages and every published exercise version, per language, from the files in `directory`,
    and the texts that have no translation yet in each language (they are shown in English).

    Raises CatalogueError naming each file and key that is malformed or breaks the schema.
    """
    files = _parse(directory)
    problems: list[str] = []
    origin: dict[tuple[str, int], str] = {}
    english: Registry = {}
    for name, raw in files:
        for ex_raw in raw["exercise"]:
            ex = _exercise(ex_raw, raw["number"], DEFAULT_LOCALE)
            where = f"{name}: exercise {ex.key!r} v{ex.version}"
            if (ex.key, ex.version) in origin:
                problems.append(f"{where}: published twice (also in {origin[ex.key, ex.version]})")
            origin.setdefault((ex.key, ex.version), name)
            english.setdefault((ex.key, ex.version), ex)
            problems += exercise_problems(where, ex)
    current: dict[str, Exercise] = {}
    for ex in english.values():
        if ex.key not in current or ex.version > current[ex.key].version:
            current[ex.key] = ex
    problems += catalogue_problems((_stage(raw, DEFAULT_LOCALE) for _n, raw in files), current.values())
    _refuse(problems)
    stages = {loc: tuple(_stage(raw, loc) for _n, raw in files) for loc in LOCALES}
    registries = {
        loc: {
            (ex["key"], ex["version"]): _exercise(ex, raw["number"], loc)
            for _n, raw in files
            for ex in raw["exercise"]
        }
        for loc in LOCALES
    }
    registries[DEFAULT_LOCALE] = english
    untranslated = {loc: [m for n, raw in files for m in _untranslated(n, raw, loc)] for loc in LOCALES}
    return stages, registries, untranslated
