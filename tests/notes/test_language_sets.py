"""Precision and recall of the language check on the project's own labelled sentences.

The held-out sets were written before the rules and are never tuned against (see
language_sets/README.md); the floors below are what the check honestly reaches. Run with -rP (or
-s) to see the figures:  .venv/bin/pytest tests/notes/test_language_sets.py -q -rP
"""

from pathlib import Path

import pytest

from clinic.notes.language import check

SETS = Path(__file__).with_name("language_sets")
# (precision, recall) floors per set: a little under what each set reaches today, so a rule change
# that costs a few sentences fails here. The first, untuned figures of each held-out set are in
# language_sets/README.md.
FLOORS = {
    "dev_en": (0.95, 0.95),
    "dev_zh": (0.95, 0.95),
    "dev2_en": (0.95, 0.95),
    "dev2_zh": (0.95, 0.95),
    "heldout_en": (0.9, 0.9),
    "heldout_zh": (0.9, 0.9),
    "heldout2_en": (0.9, 0.9),
    "heldout2_zh": (0.9, 0.9),
    "heldout3_en": (0.9, 0.9),
    "heldout3_zh": (0.9, 0.9),
    # Worked from its misses in the second round of rules, so no longer untouched; its first-run
    # figures are in the README.
    "heldout4_en": (0.95, 0.95),
    "heldout4_zh": (0.95, 0.95),
    # Worked from its Chinese misses in the third round (families, not sentences), so no longer
    # untouched either; its honest first-run figures are in the README.
    "heldout5_en": (0.95, 0.95),
    "heldout5_zh": (0.95, 0.97),
    # Untouched when added: no rule has been written from held-out 6 (see the README).
    "heldout6_en": (0.9, 0.9),
    "heldout6_zh": (0.95, 0.85),
}


def labelled(name: str) -> list[tuple[bool, str]]:
    out = []
    for line in (SETS / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            assert line[:2] in ("+ ", "- "), f"{name}: {line!r} is neither + nor -"
            out.append((line[0] == "+", line[2:]))
    return out


def score(items: list[tuple[bool, str]]) -> tuple[float, float, list[str]]:
    tp = fp = fn = 0
    wrong = []
    for expected, sentence in items:
        flagged = bool(check(sentence))
        tp += expected and flagged
        fp += flagged and not expected
        fn += expected and not flagged
        if flagged != expected:
            wrong.append(f"{'missed' if expected else 'false alarm'}: {sentence}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    return precision, tp / (tp + fn), wrong


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_precision_and_recall_reach_the_floor(name):
    items = labelled(name)
    precision, recall, wrong = score(items)
    positives = sum(e for e, _ in items)
    print(f"\n{name}: {len(items)} sentences ({positives} +, {len(items) - positives} -): "
          f"precision {precision:.3f}, recall {recall:.3f}")
    for line in wrong:
        print("   ", line)
    floor_p, floor_r = FLOORS[name]
    assert precision >= floor_p and recall >= floor_r, (name, precision, recall, wrong)


def test_the_sets_are_big_enough_and_balanced():
    english = labelled("dev_en") + labelled("heldout_en")
    chinese = labelled("dev_zh") + labelled("heldout_zh")
    assert len(english) >= 150 and len(chinese) >= 80
    for name in FLOORS:
        items = labelled(name)
        share = sum(e for e, _ in items) / len(items)
        assert 0.4 <= share <= 0.6, (name, share)
    sentences = [s for name in FLOORS for _, s in labelled(name)]
    assert len(sentences) == len(set(sentences)), "a sentence is in two sets (or twice in one)"
