"""The catalogue in the language of whoever a page, mail or PDF is for, and a submission's
prompts as its author saw them.

Flask-Babel's locale is the reader's (the partner in the portal, the staff member in the
workspace, a recipient under `force_locale`); the catalogue is a leaf that takes the language as a
plain argument. `reader_locale` maps i18n.current_language() onto it, in this one place. It sits
beside the features, not in one, because every feature that shows a stage or an exercise needs it
(couples' stage choices as much as the portal).
"""

from __future__ import annotations

from typing import Any

from .exercises.catalogue import CATALOGUE, DEFAULT_LOCALE, Exercise, Stage
from .i18n import current_language, html_lang


def reader_locale() -> str:
    """The catalogue language closest to the one being written now ("en" outside an app)."""
    return CATALOGUE.locale(current_language())


def exercise(key: str, version: int | None = None) -> Exercise:
    return CATALOGUE.get(key, version, locale=reader_locale())


def all_exercises() -> list[Exercise]:
    return CATALOGUE.all_exercises(reader_locale())


def suggested_first(current_stage: int) -> list[Exercise]:
    return CATALOGUE.suggested_first(current_stage, reader_locale())


def stages() -> tuple[Stage, ...]:
    return CATALOGUE.stages(reader_locale())


def stage_choices() -> list[tuple[int, str]]:
    """(number, "1. Title") for a stage select."""
    return [(s.number, f"{s.number}. {s.title}") for s in stages()]


def prompts_beside(prompts: dict[str, Any]) -> dict[str, Any]:
    """How a submission's stored prompts (Exercise.snapshot) sit on the current reader's page.

    They are shown as their author saw them. When that was in another language than the
    reader's: `lang` is the snapshot's HTML language (for its elements' `lang`), and `title` and
    `labels` ("key", and "key.sub" for a repeated field's parts) are the same prompts in the
    reader's language, to show beside. Snapshots from before languages were recorded are English.
    """
    shown = prompts.get("locale") or DEFAULT_LOCALE
    reader = reader_locale()
    if CATALOGUE.locale(shown) == reader:
        return {"lang": None, "title": None, "labels": {}}
    beside: dict[str, Any] = {"lang": html_lang(shown), "title": None, "labels": {}}
    try:
        own = CATALOGUE.get(prompts["key"], prompts["version"], locale=reader)
    except KeyError:
        return beside  # a version this installation does not know: the author's words alone
    beside["title"] = own.title
    for f in own.fields:
        beside["labels"][f.key] = f.label
        for sub in f.subfields:
            beside["labels"][f"{f.key}.{sub.key}"] = sub.label
    return beside
