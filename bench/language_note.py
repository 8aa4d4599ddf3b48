"""Time the note language check on a 1,000-word note (English) and a 1,000-word note (Chinese,
2,000 characters), the size it checks live in the editor, built from the held-out sets 1-3 (which
no longer change), so figures stay comparable across lexicon changes. CPU time, best of 9.

Run: .venv/bin/python bench/language_note.py
Compare with an older commit: git archive <commit> clinic | tar -x -C /tmp/old, then
     .venv/bin/python bench/language_note.py /tmp/old
(2026-11-28, before the second round of rules at fc07899 / after it: English 6.0-6.3 / 6.3 ms;
Chinese 5.3 / 6.7-7.5 ms; a 20,000-character Chinese section 76 / 90 ms.)
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else str(ROOT))

from clinic.notes.language import check  # noqa: E402

SETS = ROOT / "tests" / "notes" / "language_sets"
RUNS = 9


def lines(lang: str) -> list[str]:
    return [line[2:] for name in ("heldout", "heldout2", "heldout3")
            for line in (SETS / f"{name}_{lang}.txt").read_text(encoding="utf-8").splitlines()
            if line[:2] in ("+ ", "- ")]


def note(pool: list[str], size: int, measure) -> str:
    rng, out = random.Random(7), []
    while sum(measure(s) for s in out) < size:
        out.append(rng.choice(pool))
    return " ".join(out)


def main() -> int:
    texts = {"English, 1,000 words": note(lines("en"), 1000, lambda s: len(s.split())),
             "Chinese, 2,000 characters": note(lines("zh"), 2000, len),
             "Chinese, 20,000 characters": note(lines("zh"), 20000, len)}
    check("warm up: she is anxious. 她很焦虑。")
    for name, text in texts.items():
        best = float("inf")
        for _ in range(RUNS):
            start = time.process_time()
            check(text)
            best = min(best, time.process_time() - start)
        print(f"{name}: best of {RUNS} {best * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
