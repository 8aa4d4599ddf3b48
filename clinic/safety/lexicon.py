"""The danger-word lexicon: loads clinic/safety/danger_words.toml and finds its words in a text.

A leaf: no Flask, no database. `scan` says which words matched and of what kind; it never says
what they mean. Matching is deliberately plain (see the data file's header): verbs only count
with a person after them, weapon words only with the writer in the sentence, and a negation just
before a negatable match drops it.
"""

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

CATEGORIES = ("physical", "threat", "fear", "control")
_TOKEN = re.compile("[a-z0-9]+(?:['\u2019][a-z]+)?")
# Full stops, question and exclamation marks, semicolons and line breaks, Western and Chinese.
_SENTENCE = re.compile("[.!?;\n\u3002\uff01\uff1f\uff1b]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_PERSON = {"me", "us", "my", "myself"}


class LexiconError(ValueError):
    """The data file is malformed (a rule without words, an unknown category …)."""


@dataclass(frozen=True)
class Hit:
    category: str
    words: str  # the matched words as written (lower-cased for English)


@dataclass(frozen=True)
class _Rule:
    category: str
    negatable: bool
    phrases: tuple[tuple[str, ...], ...] = ()
    verbs: tuple[tuple[str, ...], ...] = ()
    objects: tuple[tuple[str, ...], ...] = ()
    needs_person: frozenset[str] = frozenset()
    not_followed_by: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Lexicon:
    en_rules: tuple[_Rule, ...]
    en_negations: frozenset[str]
    en_window: int
    zh_rules: tuple[_Rule, ...]
    zh_negations: frozenset[str]
    zh_window: int
    zh_gap: str
    zh_not_negations: tuple[str, ...] = ()
    zh_passive: tuple[str, ...] = ()


def _tokens(phrase: str) -> tuple[str, ...]:
    return tuple(phrase.lower().split())


def _rules(section: dict, *, english: bool) -> tuple[_Rule, ...]:
    shared = tuple(_tokens(o) if english else (o,) for o in section.get("objects", []))
    rules = []
    for raw in section.get("rules", []):
        category = raw.get("category")
        if category not in CATEGORIES:
            raise LexiconError(f"unknown category {category!r}")
        words, verbs = raw.get("words", []), raw.get("verbs", [])
        if not words and not verbs:
            raise LexiconError(f"a {category} rule has neither words nor verbs")
        split = _tokens if english else (lambda w: (w,))
        extra = tuple(split(o) for o in raw.get("objects_extra", []))
        rules.append(_Rule(
            category=category, negatable=bool(raw.get("negatable", False)),
            phrases=tuple(split(w) for w in words), verbs=tuple(split(v) for v in verbs),
            objects=shared + extra if verbs else (),
            needs_person=frozenset(raw.get("needs_person", [])),
            not_followed_by=tuple(split(w) for w in raw.get("not_followed_by", [])),
        ))
    return tuple(rules)


@cache
def load() -> Lexicon:
    """The shipped lexicon (read once per process). Raises LexiconError if the file is malformed."""
    data = tomllib.loads(resources.files(__package__).joinpath("danger_words.toml").read_text("utf-8"))
    en, zh = data["en"], data["zh"]
    return Lexicon(
        en_rules=_rules(en, english=True), en_negations=frozenset(en["negations"]),
        en_window=int(en["negation_window"]),
        zh_rules=_rules(zh, english=False), zh_negations=frozenset(zh["negations"]),
        zh_window=int(zh["negation_window"]), zh_gap=str(zh["gap"]),
        zh_not_negations=tuple(zh.get("not_negations", [])),
        zh_passive=tuple(zh.get("passive", [])),
    )


# --- English ---------------------------------------------------------------------------------

def _token_matches(pattern: str, token: str) -> bool:
    return token.startswith(pattern[:-1]) if pattern.endswith("*") else token == pattern


def _match_at(pattern: tuple[str, ...], tokens: list[str], start: int) -> int | None:
    """Where `pattern` ends if it matches at `start` (a lone "*" takes one to three tokens)."""
    if not pattern:
        return start
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        for skip in (1, 2, 3):
            end = _match_at(rest, tokens, start + skip) if start + skip <= len(tokens) else None
            if end is not None:
                return end
        return None
    if start < len(tokens) and _token_matches(head, tokens[start]):
        return _match_at(rest, tokens, start + 1)
    return None


def _negated_en(tokens: list[str], start: int, lexicon: Lexicon) -> bool:
    before = tokens[max(0, start - lexicon.en_window):start]
    return any(t in lexicon.en_negations or t.endswith(("n't", "n\u2019t")) for t in before)


def _scan_en(sentence: str, lexicon: Lexicon) -> list[Hit]:
    tokens = _TOKEN.findall(sentence.lower())
    hits = []
    for rule in lexicon.en_rules:
        for i in range(len(tokens)):
            end = None
            for phrase in rule.phrases:
                end = _match_at(phrase, tokens, i)
                if end is not None and phrase[-1] in rule.needs_person and not _PERSON & set(tokens):
                    end = None
                if end is not None:
                    break
            if end is None:
                for verb in rule.verbs:
                    verb_end = _match_at(verb, tokens, i)
                    if verb_end is None:
                        continue
                    end = next((e for o in rule.objects
                                if (e := _match_at(o, tokens, verb_end)) is not None), None)
                    if end is not None and any(_match_at(w, tokens, end) is not None
                                               for w in rule.not_followed_by):
                        end = None
                    if end is not None:
                        break
            if end is not None and not (rule.negatable and _negated_en(tokens, i, lexicon)):
                hits.append(Hit(rule.category, " ".join(tokens[i:end])))
    return hits


# --- Chinese ---------------------------------------------------------------------------------

def _negated_zh(text: str, start: int, lexicon: Lexicon) -> bool:
    before = text[max(0, start - lexicon.zh_window):start]
    for word in lexicon.zh_not_negations:
        before = before.replace(word, "")
    return any(ch in lexicon.zh_negations for ch in before)


def _scan_zh(sentence: str, lexicon: Lexicon) -> list[Hit]:
    hits = []
    for rule in lexicon.zh_rules:
        spans = []
        for (word,) in rule.phrases:
            spans += [(m.start(), m.end()) for m in re.finditer(re.escape(word), sentence)]
        for (verb,) in rule.verbs:
            # The passive names the writer before the verb ("我被他打了"): no object after it.
            for marker in lexicon.zh_passive:
                spans += [(m.start(), m.end()) for m in re.finditer(re.escape(marker + verb), sentence)]
            for m in re.finditer(re.escape(verb), sentence):
                end = m.end()
                while end < len(sentence) and sentence[end] in lexicon.zh_gap:
                    end += 1
                obj = next((o for (o,) in rule.objects if sentence.startswith(o, end)), None)
                if obj is not None:
                    spans.append((m.start(), end + len(obj)))
        for start, end in sorted(set(spans)):
            if not (rule.negatable and _negated_zh(sentence, start, lexicon)):
                hits.append(Hit(rule.category, sentence[start:end]))
    return hits


def scan(text: str | None) -> list[Hit]:
    """The danger words in `text` (English and Chinese alike, sentence by sentence), each once."""
    if not text or not text.strip():
        return []
    lexicon = load()
    found: list[Hit] = []
    for sentence in _SENTENCE.split(text):
        found += _scan_en(sentence, lexicon)
        if _HAN.search(sentence):
            found += _scan_zh(sentence, lexicon)
    return list(dict.fromkeys(found))
