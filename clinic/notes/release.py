"""What a joint release of a note may carry, decided from the record rather than trusted to the
text: the version both partners receive holds nothing one of them wrote without sharing it.

PRODUCT.md and SECURITY.md: what one partner writes reaches the other only if they chose to share
it (and, under a safety flag, only once the clinician let it through); check-ins never. So in a
joint release the clinician's text is printed with every run of a partner's private words taken
out, and a partner's "scale today" only when it is the value of their latest placement that
reaches both.

A run is RUN words (or Chinese characters) in a row, as the partner wrote them, whatever the
spacing, case or punctuation between them; a private text shorter than that counts whole from
SHORTEST words. Shorter pieces would take out the clinician's own everyday words; a longer RUN
would let a clause through. Erring towards leaving out: the record keeps everything.
"""

from __future__ import annotations

import re

RUN, SHORTEST = 6, 3
LEFT_OUT = "[…]"
# A token is one Chinese character or one word of letters and digits (inner apostrophes kept).
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W_]+(?:['\u2019][^\W_]+)*")


def _tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group().casefold().replace("\u2019", "'"))
            for m in _TOKEN.finditer(text or "")]


def runs(texts: list[str]) -> dict[int, set[tuple[str, ...]]]:
    """The runs of words to look for, by length: every RUN-long run of each private text, or the
    whole text when it is shorter (and at least SHORTEST long)."""
    found: dict[int, set[tuple[str, ...]]] = {}
    for text in texts:
        words = [w for _s, _e, w in _tokens(text)]
        size = min(RUN, len(words))
        if size < SHORTEST:
            continue
        found.setdefault(size, set()).update(
            tuple(words[i:i + size]) for i in range(len(words) - size + 1)
        )
    return found


def redact(text: str, private: dict[int, set[tuple[str, ...]]]) -> tuple[str, bool]:
    """`text` with every stretch made of private runs (see runs) replaced by LEFT_OUT; and
    whether anything was."""
    tokens = _tokens(text)
    words = [w for _s, _e, w in tokens]
    spans: list[list[int]] = []
    for size, grams in private.items():
        for i in range(len(words) - size + 1):
            if tuple(words[i:i + size]) in grams:
                spans.append([tokens[i][0], tokens[i + size - 1][1]])
    if not spans:
        return text, False
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        if start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + LEFT_OUT + text[end:]
    return text, True


def shared_today(points: list, value: int | None, hold: set | None) -> bool:
    """Whether a partner's scale today (`value`) may be printed for both: it is the value of their
    latest placement up to the session (`points` as the snapshot froze them), and that one
    reaches the other partner (shared, and let through while a safety flag holds shares)."""
    if value is None or not points:
        return False
    latest = max(points, key=lambda p: (p[0], p[3] if len(p) > 3 else 0))
    shared = len(latest) > 2 and bool(latest[2])
    released = hold is None or (len(latest) > 3 and ("scale", int(latest[3])) in hold)
    return shared and released and int(latest[1]) == int(value)
