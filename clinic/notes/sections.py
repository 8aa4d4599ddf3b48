"""The sections of a session note, as data: the keys SessionNote.sections stores, in order.

Each section follows the collaborative stance of the practice (White and Epston: the problem is
the problem, unique outcomes; Berg and de Shazer: exceptions, do more of what works, small steps;
Anderson: the clients are the experts; Jordan: mutual empathy). No Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT_MAX = 20_000


def N_(text: str) -> str:
    """Marks a text for translation (babel extracts N_); it is translated where it is shown."""
    return text

SHORT_MAX = 80


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    prompt: str
    short: bool = False  # a one-line field (the problem's name) rather than a text area

    @property
    def max_length(self) -> int:
        return SHORT_MAX if self.short else TEXT_MAX


SECTIONS: tuple[Section, ...] = (
    Section(
        "problem_name", "The problem's name",
        "The couple's own name for the problem, in their words: “the Silence”, “the Panic”.",
        short=True,
    ),
    Section(
        "problem_effects", "The problem, externalized, and its effects",
        "How the problem has been showing up, and what it does to each partner and to the "
        "relationship. Write about the problem, not about them: “the Silence moved in after "
        "the move” rather than “he withdraws”.",
    ),
    Section(
        "difficulties", "Difficulties acknowledged",
        "What was hard, painful or still unresolved, said plainly. Noticing what works never "
        "skips real pain; name it and how each of them carried it.",
    ),
    Section(
        "unique_outcomes", "Unique outcomes and exceptions",
        "Times the problem had less hold, in their telling. Thicken the ones you keep: what made "
        "them possible, what each partner did, what it says about who they are together.",
    ),
    Section(
        "resources", "Resources and coping",
        "Strengths, skills, people and habits they already lean on; what got them through "
        "before.",
    ),
    Section(
        "preferred_future", "Preferred future",
        "The picture they hold of things going better: the miracle morning, the first small "
        "sign, the values they chose.",
    ),
    Section(
        "scale_notes", "Scale today",
        "Where each of them placed themselves today and what moved them: what keeps them from "
        "being lower, what one point higher would look like.",
    ),
    Section(
        "working", "What is working (do more)",
        "What they noticed helps, however small, that they want to keep doing.",
    ),
    Section(
        "try_differently", "What to try differently",
        "What is not helping yet, so they can try something else: a change of task, timing or "
        "setting, not a verdict on them.",
    ),
    Section(
        "own_words", "In their own words",
        "Short quotes, exactly as said, each credited to who said it. The clients are the "
        "experts on their own lives.",
    ),
    Section(
        "review", N_("Since last time"),
        N_("What was agreed last time and how it went, and the exercises completed or still "
           "open (pre-filled from the record; keep what matters)."),
    ),
    Section(
        "next_steps", "Next small steps and exercises",
        "The small steps and experiments agreed together, and the exercises assigned, so the "
        "next session can start from them.",
    ),
)

KEYS: tuple[str, ...] = tuple(s.key for s in SECTIONS)
BY_KEY: dict[str, Section] = {s.key: s for s in SECTIONS}
