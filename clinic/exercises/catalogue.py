"""The between-session exercise catalogue: six stages, eighteen versioned exercises (pure data)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

KINDS = ("short_text", "long_text", "list", "ranked", "scale", "date", "repeated")
SIMPLE_KINDS = ("short_text", "long_text", "scale", "date")
MODES = ("individual", "joint")
RECORDS = (None, "exception", "scale")

# Default character limits: for text fields, and for each item of a list or ranked field.
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5000
SCALE_MIN = 1
SCALE_MAX = 10

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
        return "entries" if self.kind == "repeated" else "items"

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

    @property
    def is_joint(self) -> bool:
        return self.mode == "joint"

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(f"{self.key} v{self.version} has no field {key!r}")

    def snapshot(self) -> dict[str, Any]:
        """Plain JSON-able copy of the prompts, stored beside each submission."""
        return {
            "key": self.key,
            "version": self.version,
            "stage": self.stage,
            "title": self.title,
            "purpose": self.purpose,
            "instructions": self.instructions,
            "mode": self.mode,
            "record": self.record,
            "fields": [f.snapshot() for f in self.fields],
        }


def _days(first: str, last: str) -> str:
    return f"{first}\N{EN DASH}{last}"


STAGES: tuple[Stage, ...] = (
    Stage(
        1,
        "partnership",
        "Partnership building",
        _days("1", "7"),
        "Telling your own story, feeling heard, and agreeing together on what a small "
        "change might look like.",
    ),
    Stage(
        2,
        "resources",
        "Resource identification",
        _days("8", "14"),
        "Noticing the ways you already cope and the strengths you already have, "
        "even when things are hard.",
    ),
    Stage(
        3,
        "vision",
        "Vision clarification",
        _days("15", "21"),
        "Picturing, in everyday detail, the relationship you would like to have, "
        "and what matters most to you.",
    ),
    Stage(
        4,
        "exceptions",
        "Exception amplification",
        _days("22", "28"),
        "Looking closely at the moments that go better, finding what they have in common, "
        "and making room for more of them.",
    ),
    Stage(
        5,
        "action",
        "Action construction",
        _days("29", "35"),
        "Turning what you have learned into small, concrete steps, trying them out, "
        "and adjusting as you go.",
    ),
    Stage(
        6,
        "consolidation",
        "Consolidation & maintenance",
        _days("36", "40+"),
        "Making the changes your own, celebrating them, and planning how to look after them.",
    ),
)


def _long(key: str, label: str, help: str = "", required: bool = True) -> Field:
    return Field(key, label, "long_text", help=help, required=required)


def _short(key: str, label: str, help: str = "", required: bool = True) -> Field:
    return Field(key, label, "short_text", help=help, required=required)


VALUE_SUGGESTIONS = (
    "honesty",
    "kindness",
    "playfulness",
    "closeness",
    "respect",
    "growth",
    "security",
    "freedom",
    "patience",
    "humour",
    "warmth",
    "trust",
    "support",
    "understanding",
    "fun",
    "loyalty",
)

# Every version ever published, oldest first. Never delete or edit an entry once it has been
# used: add a new one with version + 1 (submissions keep a snapshot, but reports look up by key).
_PUBLISHED: tuple[Exercise, ...] = (
    # ---- Stage 1: Partnership building ---------------------------------------------------
    Exercise(
        key="relationship-narrative",
        stage=1,
        title="Your relationship story",
        purpose="To put your own experience into words: not what is wrong, "
        "but how you would like to be understood.",
        mode="individual",
        version=1,
        instructions="Find a quiet ten minutes on your own. Nothing here needs solving, and "
        "there are no right answers. Write as much or as little as feels right.",
        fields=(
            _long("matters", "What matters most to you in this relationship?"),
            _long("struggles", "What are you finding hard at the moment?"),
            _long("longings", "What do you long for, for yourself and for the two of you?"),
            _long(
                "anything_else",
                "Is there anything else you would like to be understood?",
                required=False,
            ),
        ),
    ),
    Exercise(
        key="listening-practice",
        stage=1,
        title="Listening practice",
        purpose="To know what it is like to be really heard, and to really hear your partner.",
        mode="joint",
        version=1,
        instructions="Sit together somewhere quiet. One of you talks for five minutes while "
        "the other simply listens: no interrupting, no fixing, no correcting. Then swap. "
        "You do not need to agree; the aim is to understand. Fill this in together afterwards.",
        fields=(
            Field("done_on", "When did you do it?", "date", required=False),
            _long(
                "understood",
                "What did each of you understand about the other's experience?",
                help="Try to put it the way your partner would put it.",
            ),
            _long(
                "being_heard",
                "What was it like to be listened to without being interrupted?",
            ),
        ),
    ),
    Exercise(
        key="hope-question",
        stage=1,
        title="A little better by tonight",
        purpose="To turn attention from how big the problem feels to what a small change "
        "could look like.",
        mode="individual",
        version=1,
        instructions="Not everything fixed, just a little better. Small is good here.",
        fields=(
            _long(
                "a_little_better",
                "Imagine things between you are a little better by tonight. "
                "What would be different?",
            ),
            _long(
                "first_noticed",
                "What is the first thing you would notice?",
                help="Something you could see or hear: a word, a look, a moment together.",
                required=False,
            ),
        ),
    ),
    # ---- Stage 2: Resource identification ------------------------------------------------
    Exercise(
        key="coping-list",
        stage=2,
        title="Ways you already cope",
        purpose="To recognise that you are already doing things to get through hard moments. "
        "Everyone copes somehow, and imperfect ways count too.",
        mode="individual",
        version=1,
        instructions="List everything you do to get by when things are hard between you. "
        "This is not about judging whether each one is good or bad, only about noticing "
        "what you already do.",
        fields=(
            Field(
                "ways",
                "What do you do to cope?",
                "list",
                help="For example: going for a walk or a run, calling a friend, telling "
                "yourself it will pass, writing a letter you never send.",
                min_items=3,
                max_items=30,
                noun="ways of coping",
            ),
        ),
    ),
    Exercise(
        key="strength-exploration",
        stage=2,
        title="Your strengths",
        purpose="To find the strengths that have carried you through difficult times before.",
        mode="individual",
        version=1,
        fields=(
            _long(
                "got_through",
                "What helped you get through hard times in a relationship before?",
            ),
            _long("learned", "What did those times teach you about yourself?"),
            _long(
                "partner_would_say",
                "What would your partner, or someone who knows you well, say your strengths "
                "are when things get hard?",
            ),
            _long(
                "persist",
                "What is it about you that keeps you going, even when it is difficult?",
            ),
        ),
    ),
    Exercise(
        key="exception-log",
        stage=2,
        title="Exception log",
        purpose="To catch the moments when the problem is smaller or takes a break. "
        "They hold clues about what already works.",
        mode="individual",
        version=1,
        record="exception",
        instructions="Whenever you notice a moment that went even a little better than usual, "
        "add an entry. Small moments count. Each entry is saved on its own.",
        fields=(
            Field("date", "When was it?", "date"),
            _long(
                "context",
                "What was different about the situation?",
                help="Where you were, what was going on, who was there.",
            ),
            _long("behaviour", "What did you do differently?", required=False),
            _long("thoughts", "What were you thinking?", required=False),
            _long("feelings", "What were you feeling?", required=False),
            _long("meaning", "What might this moment be telling you both?", required=False),
        ),
    ),
    # ---- Stage 3: Vision clarification ---------------------------------------------------
    Exercise(
        key="miracle-question",
        stage=3,
        title="The miracle question",
        purpose="To picture the relationship you want in enough everyday detail "
        "that you would recognise it.",
        mode="individual",
        version=1,
        instructions="Find a quiet moment and close your eyes. Picture this: during the night, "
        "while you are asleep, something like a miracle takes place and the difficulties that "
        "brought you here are gone. Nobody tells you it happened. Tomorrow you start to notice.",
        fields=(
            _long(
                "first_sign",
                "When you wake up, what is the first small sign that something is different?",
            ),
            _long("i_do", "What are you doing differently?"),
            _long("partner_does", "What is your partner doing differently?"),
            _long("together", "How are the two of you with each other?"),
            _long(
                "miracle_day",
                "Walk through that whole day, from morning to night.",
                help="The more ordinary detail, the better: what you say, where you are, "
                "what you do.",
            ),
        ),
    ),
    Exercise(
        key="scale-placement",
        stage=3,
        title="Where are you on the scale?",
        purpose="To see change as steps along a scale rather than all or nothing.",
        mode="individual",
        version=1,
        record="scale",
        instructions="1 is the hardest things have been. 10 is the day after the miracle. "
        "Each placement is saved on its own, so you can watch it move over time.",
        fields=(
            Field(
                "value",
                "Where are you today, from 1 to 10?",
                "scale",
                help="1 = the hardest it has been. 10 = the miracle has happened.",
            ),
            _long("movement", "How has your place on the scale moved lately?", required=False),
            _long("keeps_from_lower", "What keeps you from being lower?", required=False),
            _long(
                "one_higher",
                "If you moved up one point, what is the first difference you would notice?",
                required=False,
            ),
        ),
    ),
    Exercise(
        key="value-ranking",
        stage=3,
        title="What matters most to you",
        purpose="To name the values you want your relationship to stand on, and to pick one "
        "to live out this week.",
        mode="individual",
        version=1,
        fields=(
            Field(
                "values",
                "Choose five to ten values and put them in order, most important first.",
                "ranked",
                help="Pick from the suggestions or use your own words.",
                min_items=5,
                max_items=10,
                suggestions=VALUE_SUGGESTIONS,
                noun="values",
            ),
            _short("focus_value", "Which one value would you like to focus on next week?"),
            _long("why", "Why this one?"),
            _short(
                "one_act",
                "What is one concrete thing you will do this week that fits this value?",
                help="Something small you could actually see yourself doing.",
            ),
        ),
    ),
    # ---- Stage 4: Exception amplification -------------------------------------------------
    Exercise(
        key="exception-deep-description",
        stage=4,
        title="Looking closely at good moments",
        purpose="To fill in the detail of the moments that went better, so the abilities "
        "they show are easier to see and to use again.",
        mode="individual",
        version=1,
        instructions="Look back over your exception log and choose three to five moments that "
        "stand out. For each one, describe it as fully as you can.",
        fields=(
            Field(
                "moments",
                "Your chosen moments",
                "repeated",
                min_items=3,
                max_items=5,
                noun="moments",
                subfields=(
                    _short(
                        "moment",
                        "Which moment?",
                        help="A few words or the date from your log is enough.",
                    ),
                    _long("context", "What was happening around you?"),
                    _long("thoughts", "What were you thinking?", required=False),
                    _long("actions", "What did you do differently?", required=False),
                    _long("body", "How did it feel in your body?", required=False),
                    _long(
                        "capacity",
                        "What ability does this moment show that you two have, "
                        "one that is easy to forget?",
                        required=False,
                    ),
                    _long(
                        "more_of_it",
                        "If moments like this came more often, how would things "
                        "between you be different?",
                        required=False,
                    ),
                ),
            ),
        ),
    ),
    Exercise(
        key="pattern-recognition",
        stage=4,
        title="Spotting patterns",
        purpose="To find the conditions that make better moments more likely, "
        "so you can create them on purpose.",
        mode="individual",
        version=1,
        instructions="Read back through your exception log. Look for what the better moments "
        "have in common.",
        fields=(
            _long("conditions", "When do the better moments tend to happen?"),
            _long(
                "shared_activity",
                "Are you doing something together at those times? What?",
                required=False,
            ),
            _long(
                "setting",
                "Is there something about the place, the time or what is around you?",
                required=False,
            ),
            _long(
                "emotional_state",
                "How are you feeling in yourself beforehand?",
                required=False,
            ),
            _long(
                "clue",
                "What could you do on purpose to make moments like these more likely?",
                required=False,
            ),
        ),
    ),
    Exercise(
        key="micro-experiment",
        stage=4,
        title="A three-day experiment",
        purpose="To recreate, on purpose, the conditions that seem to invite better moments, "
        "and to learn from what happens.",
        mode="individual",
        version=1,
        instructions="Choose one condition from your patterns and recreate it once a day for "
        "three days, for example one small kind gesture a day. Jot down what happened each day. "
        "You cannot fail this: whatever happens, you learn something.",
        fields=(
            _short("plan", "What will you do each day?"),
            Field(
                "days",
                "Your three days",
                "repeated",
                min_items=3,
                max_items=3,
                noun="days",
                subfields=(
                    Field("day", "Day", "date"),
                    _long("tried", "What I tried"),
                    _long("noticed", "What I noticed"),
                ),
            ),
            _long("learning", "What have you learned from these three days?"),
        ),
    ),
    # ---- Stage 5: Action construction ----------------------------------------------------
    Exercise(
        key="action-menu",
        stage=5,
        title="Your action menu",
        purpose="To have a menu of small, doable actions ready to choose from.",
        mode="individual",
        version=1,
        instructions="Using everything you have noticed so far, list small actions you could "
        "take for your relationship.",
        fields=(
            Field(
                "actions",
                "Small actions you could take",
                "list",
                help="Make each one concrete ('hold each other for half a minute' rather than 'be "
                "more affectionate'), something you can really do, and mix them up: different "
                "times, places and ways.",
                min_items=10,
                max_items=20,
                noun="actions",
            ),
        ),
    ),
    Exercise(
        key="commitment-experiment",
        stage=5,
        title="Commitment & experiment",
        purpose="To choose one or two actions to try this week, as experiments to learn from "
        "rather than tests to pass.",
        mode="individual",
        version=1,
        instructions="Pick one or two actions from your menu that you feel ready to try "
        "in the next seven days.",
        fields=(
            Field(
                "experiments",
                "Your experiments",
                "repeated",
                min_items=1,
                max_items=2,
                noun="experiments",
                subfields=(
                    _short("action", "What will you try?"),
                    _long("hope_to_learn", "What do you hope to learn?"),
                    _long("how_know", "How will you know you have learned something?"),
                ),
            ),
        ),
    ),
    Exercise(
        key="feedback-loop",
        stage=5,
        title="Looking back on the week",
        purpose="To keep learning in small steps: try, notice, adjust.",
        mode="individual",
        version=1,
        instructions="At the end of the week, look back at what you tried. If something "
        "helped, do more of it; if it did not, that is useful to know too.",
        fields=(
            _long("tried", "What did you try?"),
            _long("happened", "What happened?"),
            _long("learned", "What did you learn?"),
            _long("adjustment", "What would you like to adjust or try next?"),
        ),
    ),
    # ---- Stage 6: Consolidation & maintenance --------------------------------------------
    Exercise(
        key="progress-narrative",
        stage=6,
        title="Your story of change",
        purpose="To tell the story of your journey in your own words, so the changes "
        "become part of who you are.",
        mode="individual",
        version=1,
        fields=(
            _long("started", "Where did you start?"),
            _long("happened", "What did you go through along the way?"),
            _long("learned", "What have you learned about yourself, and about the two of you?"),
            _long("now", "Where are you now?"),
            _long("proud", "What are you proud of?"),
            _long("hope", "What do you hope for from here?"),
        ),
    ),
    Exercise(
        key="prevention-plan",
        stage=6,
        title="Looking after the changes",
        purpose="To have a plan ready for the times when old patterns start to creep back.",
        mode="individual",
        version=1,
        fields=(
            Field(
                "early_signs",
                "What early signs tell you things may be slipping?",
                "list",
                min_items=1,
                max_items=10,
                noun="early signs",
            ),
            _long("response", "When you notice those signs, what will you do?"),
            Field(
                "strategies",
                "Which ways of coping have already proven to work for you?",
                "list",
                min_items=1,
                max_items=15,
                noun="strategies",
            ),
            _long(
                "seek_support",
                "When would you reach out for support, and to whom?",
                help="Your therapist, a friend, family, or someone else you trust.",
            ),
        ),
    ),
    Exercise(
        key="celebration-meaning",
        stage=6,
        title="Celebrating and making meaning",
        purpose="To take time to honour what you have done, however small it may seem.",
        mode="individual",
        version=1,
        fields=(
            _long("meaning", "What has this whole journey meant to you?"),
            _long(
                "changed",
                "How has it changed the way you see yourself, your relationship and your life?",
            ),
            _long("discovery", "What is the biggest thing you have found out about yourself?"),
            _short(
                "celebrate",
                "How would you like to mark this moment?",
                help="Something simple together counts: a meal, a walk, a note.",
                required=False,
            ),
        ),
    ),
)


# ---- validation ----------------------------------------------------------------------------


def _field_problems(where: str, f: Field, *, nested: bool) -> list[str]:
    problems: list[str] = []
    at = f"{where}: field {f.key!r}"
    if not _KEY_RE.match(f.key):
        problems.append(f"{at}: key must be lower_snake_case")
    if not f.label.strip():
        problems.append(f"{at}: empty label")
    if f.kind not in KINDS:
        problems.append(f"{at}: unknown kind {f.kind!r}")
        return problems
    if nested and f.kind not in SIMPLE_KINDS:
        problems.append(f"{at}: a subfield must be one of {SIMPLE_KINDS}")
    counted = f.kind in ("list", "ranked", "repeated")
    if not counted and (f.min_items is not None or f.max_items is not None):
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
    if f.kind == "repeated":
        if not f.subfields:
            problems.append(f"{at}: a repeated field needs subfields")
        subkeys = [s.key for s in f.subfields]
        if len(subkeys) != len(set(subkeys)):
            problems.append(f"{at}: duplicate subfield keys")
        for sub in f.subfields:
            problems.extend(_field_problems(at, sub, nested=True))
    elif f.subfields:
        problems.append(f"{at}: only repeated fields take subfields")
    return problems


def validate(published: Iterable[Exercise]) -> None:
    """Check a full set of published exercise versions; raise CatalogueError listing problems."""
    published = tuple(published)
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()
    current: dict[str, Exercise] = {}
    for ex in published:
        where = f"{ex.key} v{ex.version}"
        if (ex.key, ex.version) in seen:
            problems.append(f"{where}: published twice")
        seen.add((ex.key, ex.version))
        if not _SLUG_RE.match(ex.key):
            problems.append(f"{where}: key must be a lower-case slug")
        if not isinstance(ex.version, int) or ex.version < 1:
            problems.append(f"{where}: version must be a positive integer")
        if ex.stage not in {s.number for s in STAGES}:
            problems.append(f"{where}: unknown stage {ex.stage!r}")
        if ex.mode not in MODES:
            problems.append(f"{where}: unknown mode {ex.mode!r}")
        if ex.record not in RECORDS:
            problems.append(f"{where}: unknown record {ex.record!r}")
        if not ex.title.strip() or not ex.purpose.strip():
            problems.append(f"{where}: title and purpose are required")
        if not ex.fields:
            problems.append(f"{where}: no fields")
        keys = [f.key for f in ex.fields]
        if len(keys) != len(set(keys)):
            problems.append(f"{where}: duplicate field keys")
        for f in ex.fields:
            problems.extend(_field_problems(where, f, nested=False))
        if ex.record is not None:
            missing = set(RECORD_FIELDS.get(ex.record, ())) - set(keys)
            if missing:
                problems.append(f"{where}: {ex.record} record lacks fields {sorted(missing)}")
            if any(f.kind not in SIMPLE_KINDS for f in ex.fields):
                problems.append(f"{where}: a running record may only use simple field kinds")
        if isinstance(ex.version, int) and (
            ex.key not in current or ex.version > current[ex.key].version
        ):
            current[ex.key] = ex
    for s in STAGES:
        count = sum(1 for ex in current.values() if ex.stage == s.number)
        if count != 3:
            problems.append(f"stage {s.number} has {count} current exercises, expected 3")
    for record in ("exception", "scale"):
        holders = [ex.key for ex in current.values() if ex.record == record]
        if len(holders) != 1:
            problems.append(f"expected exactly one {record} record exercise, found {holders}")
    if [s.number for s in STAGES] != list(range(1, len(STAGES) + 1)):
        problems.append("stages must be numbered 1..n in order")
    if problems:
        raise CatalogueError("Exercise catalogue is invalid:\n- " + "\n- ".join(problems))


validate(_PUBLISHED)

_VERSIONS: dict[tuple[str, int], Exercise] = {(ex.key, ex.version): ex for ex in _PUBLISHED}
_STAGES_BY_NUMBER: dict[int, Stage] = {s.number: s for s in STAGES}


# ---- look-ups ------------------------------------------------------------------------------


def versions(key: str) -> list[int]:
    """Every published version number of an exercise, oldest first (KeyError if unknown)."""
    found = sorted(v for (k, v) in _VERSIONS if k == key)
    if not found:
        raise KeyError(f"unknown exercise {key!r}")
    return found


def get(key: str, version: int | None = None) -> Exercise:
    """The current version of an exercise, or exactly `version`; KeyError if unknown."""
    if version is None:
        version = versions(key)[-1]
    try:
        return _VERSIONS[(key, version)]
    except KeyError:
        raise KeyError(f"unknown exercise {key!r} version {version!r}") from None


def all_exercises() -> list[Exercise]:
    """Current version of every exercise, in stage order (catalogue order within a stage)."""
    keys = list(dict.fromkeys(k for (k, _v) in _VERSIONS))
    current = [get(k) for k in keys]
    return sorted(current, key=lambda ex: ex.stage)  # stable: keeps catalogue order


def stage(n: int) -> Stage:
    try:
        return _STAGES_BY_NUMBER[n]
    except KeyError:
        raise KeyError(f"unknown stage {n!r}") from None


def for_stage(n: int) -> list[Exercise]:
    stage(n)
    return [ex for ex in all_exercises() if ex.stage == n]


def suggested_first(current_stage: int) -> list[Exercise]:
    """The current stage's exercises first, then all the others in stage order."""
    stage(current_stage)
    everything = all_exercises()
    return [ex for ex in everything if ex.stage == current_stage] + [
        ex for ex in everything if ex.stage != current_stage
    ]
