"""The session-note language check: deficit labels said of a person, in English and Chinese,
with externalizing or person-first suggestions that fit the sentence.

Words are data (lexicon/*.toml, loaded by lexicon.py); english.py and chinese.py read the grammar
around them; suggest.py fills the suggestions. The check only suggests: saving and signing never
depend on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import chinese, english
from .lexicon import BY_KEY, FAMILIES, Family, Label
from .suggest import build
from .text import CJK, quote_spans, script, sentences

__all__ = ["FAMILIES", "Family", "Finding", "Label", "check", "segments", "why_in"]
_CJK = re.compile(f"[{CJK}]")


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    phrase: str  # text[start:end]: the person and the label said of them
    rule: str  # the label's family ("attachment", "character", …)
    why: str
    suggestions: tuple[str, ...]
    label: str = ""  # the lexicon entry that matched ("anxiously attached", "自恋")
    lang: str = "en"  # the language of the why and the suggestions: the sentence's script


def check(text: str) -> list[Finding]:
    """Findings sorted by start, non-overlapping; `text[f.start:f.end] == f.phrase`."""
    quotes = quote_spans(text)
    found: list[Finding] = []
    for s, e in sentences(text):
        lang = script(text[s:e])
        opening = s + len(text[s:e]) - len(text[s:e].lstrip(" \t\"'\u201c\u2018\u300c(-*\u2022"))
        hits = english.find(text, s, e, quotes)
        if _CJK.search(text, s, e):
            hits += chinese.find(text, s, e, quotes)
        for hit in hits:
            family = BY_KEY[hit.label.family]
            capital = hit.start <= opening
            suggestions = build(family, hit.label, hit.person, past=hit.past, lang=lang,
                                capital=capital, written=hit.label.word)
            if hit.plain and lang == "en":  # "We met the borderline client" -> "the client"
                plain = hit.plain[:1].upper() + hit.plain[1:] if capital else hit.plain
                suggestions = (plain, *suggestions[:2])
            found.append(Finding(
                hit.start, hit.end, text[hit.start:hit.end], family.key,
                family.why_zh if lang == "zh" else family.why, suggestions, hit.label.word, lang,
            ))
    # Earliest first, then longest.
    found.sort(key=lambda f: (f.start, f.start - f.end))
    result: list[Finding] = []
    for f in found:
        if not result or f.start >= result[-1].end:
            result.append(f)
    return result


def why_in(finding: Finding, language: str) -> str:
    """Why a finding is flagged, in the reader's language ("zh…" for Chinese, else English); the
    suggestions stay in the sentence's language, since they are words to write instead."""
    family = BY_KEY[finding.rule]
    return family.why_zh if language.startswith("zh") else family.why


def segments(text: str) -> list[tuple[str, Finding | None]]:
    """Split text into plain and flagged pieces; joining the strings gives the text back."""
    out: list[tuple[str, Finding | None]] = []
    pos = 0
    for f in check(text):
        if f.start > pos:
            out.append((text[pos:f.start], None))
        out.append((f.phrase, f))
        pos = f.end
    if pos < len(text):
        out.append((text[pos:], None))
    return out
