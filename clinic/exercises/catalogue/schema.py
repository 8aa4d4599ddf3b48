"""What a catalogue entry is (stages, exercises, typed fields) and the rules a published set obeys."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

KINDS = ("short_text", "long_text", "list", "ranked", "scale", "date", "repeated", "picks")
SIMPLE_KINDS = ("short_text", "long_text", "scale", "date")
COUNTED_KINDS = ("list", "ranked", "repeated", "picks")
# Where a `picks` field's choices come from: the writing partner's own exception-log entries, or
# the actions of their own latest action menu. Each picked one may carry the field's subfields.
PICK_SOURCES = ("exception_log", "action_menu")
# individual: each partner on their own; joint: only together; either: the clinician chooses.
MODES = ("individual", "joint", "either")
RECORDS = (None, "exception", "scale")
# Languages a data file may carry a text in; English is required and is the fallback.
LOCALES = ("en", "zh_Hans")
DEFAULT_LOCALE = "en"

# Default character limits: for text fields, and for each item of a list or ranked field.
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5000
EXERCISES_PER_STAGE = 3

# Fields that the running records (one stored row per entry) must carry.
RECORD_FIELDS = {
    "exception": ("date", "context", "behaviour", "thoughts", "feelings", "meaning"),
    "scale": ("value", "movement", "keeps_from_lower", "one_higher"),
}

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")  # field keys: no "-" so input names never clash
_SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


class CatalogueError(ValueError):
    """The catalogue data is inconsistent; raised at import so a bad edit never ships."""


@dataclass(frozen=True)
class Stage:
    number: int
    key: str
    title: str
    days: str
    summary: str


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str
    help: str = ""
    required: bool = True
    min_items: int | None = None
    max_items: int | None = None
    suggestions: tuple[str, ...] = ()
    subfields: tuple[Field, ...] = ()
    max_length: int | None = None
    noun: str = ""  # plural word for counted items in messages: "values", "actions"
    source: str | None = None  # a picks field's choices (PICK_SOURCES)
    # A picks field that may be left empty when this other field of the exercise is filled in
    # (the partner's own words instead of a choice from the list); one of the two is required.
    or_field: str | None = None

    @property
    def limit(self) -> int | None:
        """Character limit for the text (or for each item of a list/ranked field)."""
        if self.max_length is not None:
            return self.max_length
        if self.kind == "long_text":
            return LONG_TEXT_MAX
        if self.kind in ("short_text", "list", "ranked"):
            return SHORT_TEXT_MAX
        return None

    @property
    def items_word(self) -> str:
        if self.noun:
            return self.noun
        return "entries" if self.kind in ("repeated", "picks") else "items"

    def snapshot(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "kind": self.kind,
            "help": self.help,
            "required": self.required,
            "min_items": self.min_items,
            "max_items": self.max_items,
            "suggestions": list(self.suggestions),
            "max_length": self.limit,
            "subfields": [sub.snapshot() for sub in self.subfields],
            **({"source": self.source, "or_field": self.or_field} if self.kind == "picks" else {}),
        }


@dataclass(frozen=True)
class Exercise:
    key: str
    stage: int
    title: str
    purpose: str
    mode: str
    version: int
    fields: tuple[Field, ...]
    record: str | None = None
    instructions: str = ""
    locale: str = DEFAULT_LOCALE  # the language of this copy's texts

    @property
    def is_joint(self) -> bool:
        """Done only together."""
        return self.mode == "joint"

    @property
    def can_be_joint(self) -> bool:
        """May be assigned to both partners together."""
        return self.mode in ("joint", "either")

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(f"{self.key} v{self.version} has no field {key!r}")

    def snapshot(self) -> dict[str, Any]:
        """Plain JSON-able copy of the prompts as shown, stored beside each submission.

        `locale` says which language they were shown in (snapshots from before it existed are
        English).
        """
        return {
            "key": self.key,
            "locale": self.locale,
            "version": self.version,
            "stage": self.stage,
            "title": self.title,
            "purpose": self.purpose,
            "instructions": self.instructions,
            "mode": self.mode,
            "record": self.record,
            "fields": [f.snapshot() for f in self.fields],
        }


def _field_problems(where: str, f: Field, *, nested: bool) -> list[str]:
    problems: list[str] = []
    at = f"{where}, field {f.key!r}"
    if not _KEY_RE.match(f.key):
        problems.append(f"{at}: key must be lower_snake_case")
    if not f.label.strip():
        problems.append(f"{at}: empty label")
    if f.kind not in KINDS:
        problems.append(f"{at}: unknown kind {f.kind!r}")
        return problems
    if nested and f.kind not in SIMPLE_KINDS:
        problems.append(f"{at}: a subfield must be one of {SIMPLE_KINDS}")
    if f.kind not in COUNTED_KINDS and (f.min_items is not None or f.max_items is not None):
        problems.append(f"{at}: min_items/max_items only apply to list, ranked, repeated")
    if f.min_items is not None and f.min_items < 0:
        problems.append(f"{at}: min_items is negative")
    if f.max_items is not None and f.max_items < 1:
        problems.append(f"{at}: max_items must be at least 1")
    if f.min_items is not None and f.max_items is not None and f.min_items > f.max_items:
        problems.append(f"{at}: min_items is greater than max_items")
    if f.suggestions and f.kind != "ranked":
        problems.append(f"{at}: only ranked fields take suggestions")
    if f.max_length is not None and (f.kind not in ("short_text", "long_text", "list", "ranked")):
        problems.append(f"{at}: max_length only applies to text, list and ranked fields")
    if f.max_length is not None and f.max_length < 1:
        problems.append(f"{at}: max_length must be positive")
    if f.kind == "picks" and f.source not in PICK_SOURCES:
        problems.append(f"{at}: a picks field needs a source, one of {PICK_SOURCES}")
    if f.kind != "picks" and (f.source is not None or f.or_field is not None):
        problems.append(f"{at}: only picks fields take a source or an or_field")
    if f.kind == "repeated" and not f.subfields:
        problems.append(f"{at}: a repeated field needs subfields")
    if f.kind in ("repeated", "picks"):
        problems.extend(_fields_problems(at, f.subfields, "subfield", nested=True))
    elif f.subfields:
        problems.append(f"{at}: only repeated and picks fields take subfields")
    return problems


def _fields_problems(at: str, fields: Iterable[Field], what: str, *, nested: bool) -> list[str]:
    """A list of fields (an exercise's, or a repeated field's subfields): unique keys, each sound."""
    fields = tuple(fields)
    keys = [f.key for f in fields]
    problems = [f"{at}: duplicate {what} keys"] if len(keys) != len(set(keys)) else []
    for f in fields:
        problems.extend(_field_problems(at, f, nested=nested))
    return problems


def exercise_problems(where: str, ex: Exercise) -> list[str]:
    """What is wrong with one exercise version; each problem starts with `where`."""
    problems: list[str] = []
    if not _SLUG_RE.match(ex.key):
        problems.append(f"{where}: key must be a lower-case slug")
    if ex.version < 1:
        problems.append(f"{where}: version must be a positive integer")
    if ex.mode not in MODES:
        problems.append(f"{where}: unknown mode {ex.mode!r}")
    if ex.record not in RECORDS:
        problems.append(f"{where}: unknown record {ex.record!r}")
    if not ex.title.strip() or not ex.purpose.strip():
        problems.append(f"{where}: title and purpose are required")
    if not ex.fields:
        problems.append(f"{where}: no fields")
    keys = [f.key for f in ex.fields]
    problems.extend(_fields_problems(where, ex.fields, "field", nested=False))
    for f in ex.fields:
        if f.or_field is not None and (f.or_field not in keys or f.or_field == f.key):
            problems.append(f"{where}, field {f.key!r}: or_field names no other field of the exercise")
        if f.source == "exception_log" and ex.mode != "individual":
            # A partner's private entries are never offered in an answer the other partner reads.
            problems.append(f"{where}, field {f.key!r}: exception-log picks only in individual exercises")
    if ex.record is not None:
        missing = set(RECORD_FIELDS.get(ex.record, ())) - set(keys)
        if missing:
            problems.append(f"{where}: {ex.record} record lacks fields {sorted(missing)}")
        if any(f.kind not in SIMPLE_KINDS for f in ex.fields):
            problems.append(f"{where}: a running record may only use simple field kinds")
        if ex.mode != "individual":
            problems.append(f"{where}: a running record is each partner's own, never joint")
    return problems


def catalogue_problems(stages: Iterable[Stage], current: Iterable[Exercise]) -> list[str]:
    """What is wrong with the set as a whole, given the current version of each exercise."""
    stages, current = tuple(stages), tuple(current)
    problems: list[str] = []
    if [s.number for s in stages] != list(range(1, len(stages) + 1)):
        problems.append("stages must be numbered 1..n, one file each")
    for s in stages:
        count = sum(1 for ex in current if ex.stage == s.number)
        if count != EXERCISES_PER_STAGE:
            problems.append(
                f"stage {s.number} has {count} current exercises, expected {EXERCISES_PER_STAGE}"
            )
    for record in ("exception", "scale"):
        holders = [ex.key for ex in current if ex.record == record]
        if len(holders) != 1:
            problems.append(f"expected exactly one {record} record exercise, found {holders}")
    return problems
