"""Time the note language check on a full section (20,000 characters, the editor's limit) of
English and of Chinese, built from the labelled sentences. Goal: under 0.5 s each, so the live
check can answer after a pause in typing.

Run: .venv/bin/python bench/language_check.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clinic.notes.language import check  # noqa: E402
from clinic.notes.sections import TEXT_MAX  # noqa: E402

SETS = ROOT / "tests" / "notes" / "language_sets"
RUNS = 5
GOAL_SECONDS = 0.5


def section(lang: str) -> str:
    lines = [line[2:] for path in sorted(SETS.glob(f"*_{lang}.txt"))
             for line in path.read_text(encoding="utf-8").splitlines() if line[:2] in ("+ ", "- ")]
    text = " ".join(lines)
    return (text * (TEXT_MAX // len(text) + 1))[:TEXT_MAX]


def main() -> int:
    check("warm up: she is anxious. 她很焦虑。")
    worst = 0.0
    for lang in ("en", "zh"):
        text = section(lang)
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            findings = check(text)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        worst = max(worst, median)
        print(f"{lang}: {len(text):,} characters, {len(findings)} findings, median {median * 1000:.0f} ms")
    print(f"goal: under {GOAL_SECONDS * 1000:.0f} ms -> {'met' if worst < GOAL_SECONDS else 'NOT met'}")
    return 0 if worst < GOAL_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
