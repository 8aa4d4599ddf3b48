"""The language check's words: label families read from lexicon/*.toml, inflections generated.

No grammar lives here: which words, in which family, with which inflections, names and
suggestions. The engines (english.py, chinese.py) decide where a word is said of a person.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .vocab import ZH_LACK, ZH_LACK_AROUND, ZH_POOR

LEXICON = Path(__file__).with_name("lexicon")

# How a word is used: adjective, identity noun said with a copula ("is a nag"), identity noun
# said anywhere ("married to a narcissist"), behaviour verb, verdict noun after a possessive
# ("his immaturity"), what "lacks …" / "has poor …" deny, Chinese label.
KINDS = ("adj", "noun", "person", "verb", "owned", "lacks", "zh")


class LexiconError(ValueError):
    """A lexicon file is malformed: unknown key, duplicate word, bad template."""


@dataclass(frozen=True)
class Label:
    family: str
    word: str  # as written in the data file
    kind: str
    forms: tuple[str, ...]  # surface forms, lower case for English
    past: frozenset[str] = frozenset()  # the forms that are past tense (verbs)
    either: bool = False  # an adjective that is also an identity noun ("a borderline")
    bare: bool = False  # Chinese: may follow the person directly (情绪不稳定)
    passing: bool = False  # may be a passing state ("felt anxious before the call")
    name: str = ""  # externalized name for suggestions; "" = the family's
    what: str = ""  # person-first wording of a diagnosis
    tries: tuple[str, ...] = ()  # suggestion templates; () = the family's
    senses: tuple[str, ...] = ()  # next words that mean another sense ("anxious to")
    objects: tuple[str, ...] | None = None  # verbs: allowed objects (None: any; (): none)


@dataclass(frozen=True)
class Family:
    key: str
    title: str
    why: str
    why_zh: str
    tries: tuple[str, ...]
    tries_zh: tuple[str, ...]
    name: str
    name_zh: str
    state: bool
    labels: tuple[Label, ...]


# -- inflection by rule ---------------------------------------------------------------------
_SPELLING = [(r"(?<=[a-z])is(e|ed|es|ing|ation)\b", r"iz\1"), (r"(?<=[a-z])iz(e|ed|es|ing|ation)\b", r"is\1"),
             (r"centred\b", "centered"),
             (r"centredness\b", "centeredness"), (r"judgement", "judgment"),
             (r"(behavi|hon|lab|dishon)our", r"\1or")]


def spellings(word: str) -> set[str]:
    """British and American spellings, and a compound's hyphenated, spaced and closed forms."""
    out = {word}
    for pattern, repl in _SPELLING:
        out |= {re.sub(pattern, repl, w) for w in out}
    for w in list(out):
        if "-" in w and "'" not in w:
            out |= {w.replace("-", " "), w.replace("-", "")}
    return out


def plural(noun: str) -> str:
    head, _, last = noun.rpartition(" ")
    if last.endswith(("man", "woman")):
        last = last[:-2] + "en"
    elif last.endswith("child"):
        last += "ren"
    elif re.search(r"(s|x|z|ch|sh)$", last):
        last += "es"
    elif re.search(r"[^aeiou]y$", last):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}" if head else last


_IRREGULAR_VERBS = {"have": ("has", "had", "having"), "make": ("makes", "made", "making"),
                    "throw": ("throws", "threw", "throwing"), "seek": ("seeks", "sought", "seeking"),
                    "fly": ("flies", "flew", "flying"), "split": ("splits", "split", "splitting")}


def verb_forms(verb: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(all forms, past forms) of a verb phrase; only its first word is inflected."""
    first, sep, rest = verb.partition(" ")
    prefix, _, stem = first.rpartition("-")
    prefix = prefix + "-" if prefix else ""
    if stem in _IRREGULAR_VERBS:
        third, past, ing = _IRREGULAR_VERBS[stem]
    elif stem.endswith("e"):
        third, past, ing = stem + "s", stem + "d", stem[:-1] + "ing"
    elif re.search(r"[^aeiou]y$", stem):
        third, past, ing = stem[:-1] + "ies", stem[:-1] + "ied", stem + "ing"
    else:
        double = re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", stem)
        base = stem + stem[-1] if double else stem
        third = stem + ("es" if re.search(r"(s|x|z|ch|sh)$", stem) else "s")
        past, ing = base + "ed", base + "ing"
    tail = sep + rest

    def phrase(w: str) -> str:
        return prefix + w + tail

    return (phrase(stem), phrase(third), phrase(past), phrase(ing)), (phrase(past),)


# -- loading ----------------------------------------------------------------------------------
_EN_LISTS = {"adjectives": "adj", "either": "adj", "nouns": "noun", "persons": "person",
             "verbs": "verb", "owned": "owned", "lacks": "lacks"}
_EN_TABLES = ("names", "what", "senses", "objects", "tries", "irregular")
_TOP = {"key", "title", "why", "why_zh", "try", "try_zh", "name", "name_zh", "state", "passing",
        "en", "zh"}
_TEMPLATE = re.compile(r"\{(\w+)\}")
_SLOTS = {"subj", "obj", "poss", "name", "what", "label"}


def _check_templates(where: str, templates: list[str]) -> tuple[str, ...]:
    if not 1 <= len(templates) <= 3:
        raise LexiconError(f"{where}: give one to three suggestions")
    for t in templates:
        unknown = set(_TEMPLATE.findall(t)) - _SLOTS
        if unknown or t.count("[") != t.count("]"):
            raise LexiconError(f"{where}: bad template {t!r}")
    return tuple(templates)


def _english(key: str, en: dict, passing: set[str], state: bool) -> list[Label]:
    unknown = set(en) - set(_EN_LISTS) - set(_EN_TABLES)
    if unknown:
        raise LexiconError(f"{key}: unknown [en] keys {sorted(unknown)}")
    tables = {t: en.get(t, {}) for t in _EN_TABLES}
    either = set(en.get("either", []))
    labels: dict[tuple[str, bool], Label] = {}  # (word, owned?): "sabotage" is both
    for list_name, kind in _EN_LISTS.items():
        for word in en.get(list_name, []):
            slot = (word, kind == "owned")
            if list_name == "either" and slot in labels:
                continue  # also listed as an adjective: one label, marked as both
            if slot in labels:
                raise LexiconError(f"{key}: {word!r} listed twice")
            past: tuple[str, ...] = ()
            if kind == "verb":
                if word in tables["irregular"]:
                    forms = (word, *tables["irregular"][word])
                    past = (tables["irregular"][word][1],)
                else:
                    forms, past = verb_forms(word)
            elif kind in ("noun", "person") or (word in either and list_name == "either"):
                forms = (word, plural(word))
            else:
                forms = (word,)
            if word in either and kind == "adj":
                forms = (word, plural(word))
            spelled = sorted({s.lower() for f in forms for s in spellings(f)})
            tries = tables["tries"].get(word)
            objects = tables["objects"].get(word)
            labels[slot] = Label(
                family=key, word=word, kind=kind, forms=tuple(spelled),
                past=frozenset(s.lower() for p in past for s in spellings(p)),
                either=word in either, passing=state or word in passing,
                name=tables["names"].get(word, ""), what=tables["what"].get(word, ""),
                tries=_check_templates(f"{key}/{word}", tries) if tries else (),
                senses=tuple(tables["senses"].get(word, ())),
                objects=tuple(objects) if objects is not None else None,
            )
    for table in ("names", "what", "senses", "objects", "tries", "irregular"):
        stray = set(tables[table]) - {word for word, _owned in labels}
        if stray:
            raise LexiconError(f"{key}: [en.{table}] names words not in the family: {sorted(stray)}")
    return list(labels.values())


def _chinese(key: str, zh: dict, passing: set[str], state: bool) -> list[Label]:
    unknown = set(zh) - {"labels", "bare", "lacks", "suffixes", "names", "what", "tries"}
    if unknown:
        raise LexiconError(f"{key}: unknown [zh] keys {sorted(unknown)}")
    lacks = set(zh.get("lacks", []))
    bare = set(zh.get("bare", [])) | lacks
    words = list(dict.fromkeys([*zh.get("labels", []), *zh.get("bare", []), *zh.get("lacks", [])]))
    names, what, tries = zh.get("names", {}), zh.get("what", {}), zh.get("tries", {})
    stray = (set(names) | set(what) | set(tries)) - set(words)
    if stray:
        raise LexiconError(f"{key}: [zh] tables name words not in the family: {sorted(stray)}")
    labels = []
    for word in words:
        if word in lacks:  # 同理心: 毫无同理心, 缺乏同理心, 同理心很差 …
            forms = {f"{p}^{word}" for p in ZH_LACK} | {f"{word}~{p}" for p in ZH_POOR} | {
                f"{a}^{word}{b}" for a, b in ZH_LACK_AROUND}
        elif word.endswith("$"):  # 自我$: only where no Chinese character follows (他很自我。)
            forms = {word}
        else:
            forms = {word} | {word + s for s in zh.get("suffixes", []) if not word.endswith(s)}
        labels.append(Label(
            family=key, word=word.rstrip("$"), kind="zh", forms=tuple(sorted(forms, key=len, reverse=True)),
            bare=word in bare, passing=state or word in passing, name=names.get(word, ""),
            what=what.get(word, ""),
            tries=_check_templates(f"{key}/{word}", tries[word]) if word in tries else (),
        ))
    return labels


def load_family(path: Path) -> Family:
    with path.open("rb") as f:
        data = tomllib.load(f)
    key = data.get("key") or path.stem
    unknown = set(data) - _TOP
    if unknown:
        raise LexiconError(f"{path.name}: unknown keys {sorted(unknown)}")
    state = bool(data.get("state", False))
    passing = set(data.get("passing", []))
    labels = [*_english(key, data.get("en", {}), passing, state),
              *_chinese(key, data.get("zh", {}), passing, state)]
    return Family(
        key=key, title=data["title"], why=data["why"], why_zh=data["why_zh"],
        tries=_check_templates(key, data["try"]), tries_zh=_check_templates(key, data["try_zh"]),
        name=data["name"], name_zh=data["name_zh"], state=state, labels=tuple(labels),
    )


def load(folder: Path = LEXICON) -> tuple[Family, ...]:
    """Every family in `folder`; a form claimed by two labels is an error."""
    families = tuple(load_family(p) for p in sorted(folder.glob("*.toml")))
    seen: dict[tuple[str, str], str] = {}
    clashes = []
    for family in families:
        for label in family.labels:
            for form in label.forms:
                # An owned noun may share its form with a label of another kind ("drama").
                where = (form, "owned" if label.kind == "owned" else "said")
                if where in seen and seen[where] != f"{family.key}/{label.word}":
                    clashes.append(f"{form!r} is in {seen[where]} and {family.key}/{label.word}")
                seen[where] = f"{family.key}/{label.word}"
    if clashes:  # every clash at once, so a long list of new words is fixed in one go
        raise LexiconError("; ".join(clashes))
    return families


FAMILIES: tuple[Family, ...] = load()
BY_KEY = {f.key: f for f in FAMILIES}
