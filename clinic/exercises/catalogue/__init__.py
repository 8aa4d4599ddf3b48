"""The between-session exercise catalogue: six stages, eighteen versioned exercises, read from data.

The data lives in this package's TOML files, one per stage, and is checked when the module is
imported, so a bad edit never ships. No Flask, no database: a leaf any feature may use.
Every look-up takes a `locale` ("en" by default); a text without a translation in that language
comes back in English, and `untranslated(locale)` lists where (a test keeps that list empty).
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from .files import Registry, Untranslated, read
from .schema import (
    DEFAULT_LOCALE,
    KINDS,
    LOCALES,
    LONG_TEXT_MAX,
    MODES,
    RECORD_FIELDS,
    SHORT_TEXT_MAX,
    SIMPLE_KINDS,
    CatalogueError,
    Exercise,
    Field,
    Stage,
)

__all__ = [
    "DEFAULT_LOCALE", "KINDS", "LOCALES", "LONG_TEXT_MAX", "MODES", "RECORD_FIELDS",
    "SHORT_TEXT_MAX", "SIMPLE_KINDS", "STAGES", "Catalogue", "CatalogueError",
    "Exercise", "Field", "Stage", "all_exercises", "for_stage", "get", "load", "locale", "stage",
    "stages", "suggested_first", "untranslated", "versions",
]  # fmt: skip


class Catalogue:
    """Published stages and exercise versions, in every language the data is written in."""

    def __init__(
        self, stages: dict[str, tuple[Stage, ...]], registries: dict[str, Registry],
        untranslated: Untranslated,
    ):
        self._stages = stages
        self._registries = registries
        self._untranslated = untranslated

    def locale(self, locale: str) -> str:
        """The closest language the data supports ("zh_Hans_CN" -> "zh_Hans"), else English."""
        parts = str(locale).replace("-", "_").split("_")
        for end in range(len(parts), 0, -1):
            if (candidate := "_".join(parts[:end])) in self._registries:
                return candidate
        return DEFAULT_LOCALE

    def untranslated(self, locale: str) -> list[str]:
        """Each text with no version in `locale` (shown in English instead), by file and key."""
        return list(self._untranslated.get(locale, ()))

    def registry(self, locale: str = DEFAULT_LOCALE) -> Registry:
        """Every published version, by (key, version), oldest first within each exercise."""
        return self._registries[self.locale(locale)]

    def stages(self, locale: str = DEFAULT_LOCALE) -> tuple[Stage, ...]:
        return self._stages[self.locale(locale)]

    def stage(self, n: int, locale: str = DEFAULT_LOCALE) -> Stage:
        for s in self.stages(locale):
            if s.number == n:
                return s
        raise KeyError(f"unknown stage {n!r}")

    def versions(self, key: str) -> list[int]:
        """Every published version number of an exercise, oldest first (KeyError if unknown)."""
        found = sorted(v for (k, v) in self.registry() if k == key)
        if not found:
            raise KeyError(f"unknown exercise {key!r}")
        return found

    def get(self, key: str, version: int | None = None, locale: str = DEFAULT_LOCALE) -> Exercise:
        """The current version of an exercise, or exactly `version`; KeyError if unknown.

        A version published in English only (as tests do) comes back in English.
        """
        if version is None:
            version = self.versions(key)[-1]
        found = self.registry(locale).get((key, version)) or self.registry().get((key, version))
        if found is None:
            raise KeyError(f"unknown exercise {key!r} version {version!r}")
        return found

    def all_exercises(self, locale: str = DEFAULT_LOCALE) -> list[Exercise]:
        """Current version of every exercise, in stage order (catalogue order within a stage)."""
        keys = dict.fromkeys(k for (k, _v) in self.registry())
        current = [self.get(k, locale=locale) for k in keys]
        return sorted(current, key=lambda ex: ex.stage)  # stable: keeps catalogue order

    def for_stage(self, n: int, locale: str = DEFAULT_LOCALE) -> list[Exercise]:
        self.stage(n)
        return [ex for ex in self.all_exercises(locale) if ex.stage == n]

    def suggested_first(self, current_stage: int, locale: str = DEFAULT_LOCALE) -> list[Exercise]:
        """The current stage's exercises first, then all the others in stage order."""
        self.stage(current_stage)
        everything = self.all_exercises(locale)
        return [ex for ex in everything if ex.stage == current_stage] + [
            ex for ex in everything if ex.stage != current_stage
        ]


def load(directory: Traversable) -> Catalogue:
    """Read and check the stage files in `directory`; CatalogueError names each bad file and key."""
    return Catalogue(*read(directory))


CATALOGUE = load(resources.files(__name__))
STAGES = CATALOGUE.stages()
# The English registry: what `get` answers by default (tests publish extra versions into it).
_VERSIONS = CATALOGUE.registry()

locale = CATALOGUE.locale
untranslated = CATALOGUE.untranslated
stages = CATALOGUE.stages
stage = CATALOGUE.stage
versions = CATALOGUE.versions
get = CATALOGUE.get
all_exercises = CATALOGUE.all_exercises
for_stage = CATALOGUE.for_stage
suggested_first = CATALOGUE.suggested_first
