"""The sections of a session note, as data: the keys SessionNote.sections stores, in order.

Each section follows the collaborative stance of the practice (White and Epston: the problem is
the problem, unique outcomes; Berg and de Shazer: exceptions, do more of what works, small steps;
Anderson: the clients are the experts; Jordan: mutual empathy). No Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT_MAX = 20_000


def N_(text: str) -> str:
    """Marks a title or prompt for the catalogs; pages, forms and the PDF translate it on display."""
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
        "problem_name", N_("The problem's name"),
        N_("The couple's own name for the problem, in their words: “the Silence”, “the Panic”."),
        short=True,
    ),
    Section(
        "problem_effects", N_("The problem, externalized, and its effects"),
        N_("How the problem has been showing up, and what it does to each partner and to the "
        "relationship. Write about the problem, not about them: “the Silence moved in after "
        "the move” rather than “he withdraws”."),
    ),
    Section(
        "difficulties", N_("Difficulties acknowledged"),
        N_("What was hard, painful or still unresolved, said plainly. Noticing what works never "
        "skips real pain; name it and how each of them carried it."),
    ),
    Section(
        "unique_outcomes", N_("Unique outcomes and exceptions"),
        N_("Times the problem had less hold, in their telling. Thicken the ones you keep: what made "
        "them possible, what each partner did, what it says about who they are together."),
    ),
    Section(
        "resources", N_("Resources and coping"),
        N_("Strengths, skills, people and habits they already lean on; what got them through "
        "before."),
    ),
    Section(
        "preferred_future", N_("Preferred future"),
        N_("The picture they hold of things going better: the miracle morning, the first small "
        "sign, the values they chose."),
    ),
    Section(
        "scale_notes", N_("Scale today"),
        N_("Where each of them placed themselves today and what moved them: what keeps them from "
        "being lower, what one point higher would look like."),
    ),
    Section(
        "working", N_("What is working (do more)"),
        N_("What they noticed helps, however small, that they want to keep doing."),
    ),
    Section(
        "try_differently", N_("What to try differently"),
        N_("What is not helping yet, so they can try something else: a change of task, timing or "
        "setting, not a verdict on them."),
    ),
    Section(
        "own_words", N_("In their own words"),
        N_("Short quotes, exactly as said, each credited to who said it. The clients are the "
        "experts on their own lives."),
    ),
    Section(
        "review", N_("Since last time"),
        N_("What was agreed last time and how it went, and the exercises completed or still "
           "open (pre-filled from the record; keep what matters)."),
    ),
    Section(
        "next_steps", N_("Next small steps and exercises"),
        N_("The small steps and experiments agreed together, and the exercises assigned, so the "
        "next session can start from them."),
    ),
)

KEYS: tuple[str, ...] = tuple(s.key for s in SECTIONS)
BY_KEY: dict[str, Section] = {s.key: s for s in SECTIONS}
