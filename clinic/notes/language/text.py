"""Text pieces both checks share: tokens with offsets, quoted spans, sentences, script."""

from __future__ import annotations

import re
from dataclasses import dataclass

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
LETTER = "A-Za-z\u00C0-\u024F"
APOS = "'\u2019"


@dataclass(frozen=True)
class Token:
    text: str
    norm: str  # lower case, apostrophes straightened, contractions split ("isn't" -> is, n't)
    start: int
    end: int
    kind: str  # "word", "cjk" or "punct"

    @property
    def capitalised(self) -> bool:
        return self.kind == "word" and self.text[:1].isupper() and not self.text.isupper()


_TOKEN = re.compile(
    rf"(?P<word>[{LETTER}]+(?:[-{APOS}][{LETTER}]+)*)|(?P<cjk>[{CJK}]+)|(?P<punct>[^\s{LETTER}{CJK}])")
_CONTRACTION = re.compile(rf"(?i)(?P<base>.+?)(?P<tail>n[{APOS}]t|[{APOS}](?:s|re|m|ve|d|ll))$")
_NEGATED_BASE = {"ca": "can", "wo": "will", "sha": "shall", "ai": "is"}


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of text[start:end]; offsets are into `text`."""
    out: list[Token] = []
    for m in _TOKEN.finditer(text, start, len(text) if end is None else end):
        kind = m.lastgroup or "punct"
        word = m.group()
        if kind == "word" and (c := _CONTRACTION.match(word)):
            base, tail = c["base"], c["tail"].replace("\u2019", "'").lower()
            split = m.start() + len(base)
            norm = base.lower()
            if tail == "n't":
                norm = _NEGATED_BASE.get(norm, norm)
            out.append(Token(base, norm, m.start(), split, "word"))
            out.append(Token(c["tail"], tail, split, m.end(), "word"))
            continue
        out.append(Token(word, word.lower().replace("\u2019", "'"), m.start(), m.end(), kind))
    return out


# Opening -> closing quote: straight, curly double and single, CJK corner brackets, guillemets.
_OPEN, _CLOSE = '"\u201c\u2018\'\u300c\u300e\u00ab', '"\u201d\u2019\'\u300d\u300f\u00bb'
_QUOTES = dict(zip(_OPEN, _CLOSE, strict=True))


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Spans of quoted words (the clients' own, or a named problem); an unclosed quote runs to
    the end of its line."""
    spans, i = [], 0
    while i < len(text):
        close = _QUOTES.get(text[i])
        # A single quote only opens at a word start: "the clients' words" opens nothing.
        if close is None or (text[i] in "\u2018'" and i and text[i - 1].isalnum()):
            i += 1
            continue
        j = i + 1
        while j < len(text) and text[j] != "\n":
            # A single quote between two letters is an apostrophe ("can't"), not a closing one.
            between = text[j - 1].isalpha() and j + 1 < len(text) and text[j + 1].isalpha()
            if text[j] == close and not (close in "\u2019'" and between):
                break
            j += 1
        spans.append((i, min(j + 1, len(text))))
        i = j + 1
    return spans


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


# A sentence ends at . ! ? (not after a title such as "Mr."), their CJK forms, or a new line.
_SENTENCE_END = re.compile(r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bMx)[.!?]+|[\u3002\uff01\uff1f\n]+")


def sentences(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.end()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


_CJK_CHAR = re.compile(f"[{CJK}]")
_LATIN_WORD = re.compile(f"[{LETTER}]+")


def script(text: str) -> str:
    """"zh" when a sentence is mostly Chinese (a character counts as much as a Latin word)."""
    cjk = len(_CJK_CHAR.findall(text))
    return "zh" if cjk and cjk >= len(_LATIN_WORD.findall(text)) else "en"
