"""The session-note language check: what it flags, what it leaves alone, and its offsets."""

import dataclasses
import itertools

import pytest

from clinic.notes.language import RULES, Finding, check, segments

# (text, expected phrase, expected rule key): each must produce exactly this one finding.
FLAGGED = [
    ("she is anxious", "she is anxious", "anxious"),
    ("Today she's so anxious about the move.", "she's so anxious", "anxious"),
    ("He was being resistant when we talked about money.", "He was being resistant", "resistant"),
    ("he has been resistant", "he has been resistant", "resistant"),
    ("They were resisting.", "They were resisting", "resistant"),
    ("We named his resistance to treatment.", "his resistance", "resistant"),
    ("they're so codependent", "they're so codependent", "codependent"),
    ("They are co-dependent.", "They are co-dependent", "codependent"),
    ("the couple is dysfunctional", "the couple is dysfunctional", "dysfunctional"),
    ("They are a dysfunctional couple.", "a dysfunctional couple", "dysfunctional"),
    ("he is non-compliant", "he is non-compliant", "non_compliant"),
    ("he is noncompliant", "he is noncompliant", "non_compliant"),
    ("he is non compliant", "he is non compliant", "non_compliant"),
    ("she was non-compliant with homework", "she was non-compliant", "non_compliant"),
    ("He is a narcissist.", "He is a narcissist", "narcissist"),
    ("Sam is married to a narcissist.", "a narcissist", "narcissist"),
    ("she's bipolar", "she's bipolar", "bipolar"),
    ("he is an alcoholic", "he is an alcoholic", "alcoholic"),
    ("We met the borderline client.", "the borderline client", "borderline"),
    ("he's so OCD about the dishes", "he's so OCD", "ocd"),
    ("he is an addict", "he is an addict", "addict"),
    ("She refused to engage.", "refused to", "refuses_to"),
    ("He failed to complete the exercise.", "failed to", "failed_to"),
    ("she suffers from anxiety", "suffers from", "suffers_from"),
    ("she was a victim of bullying at work", "a victim of", "victim_of"),
    ("I had a problem couple at 6pm.", "problem couple", "problem_couple"),
    ("Partner A is needy.", "Partner A is needy", "needy"),
    ("Maria seemed clingy on the phone.", "Maria seemed clingy", "clingy"),
    ("He's been kind of manipulative.", "He's been kind of manipulative", "manipulative"),
    ("she is attention-seeking", "she is attention-seeking", "attention_seeking"),
    ("He is in denial about the debts.", "He is in denial", "in_denial"),
    ("he is unmotivated", "he is unmotivated", "unmotivated"),
    ("she was hysterical", "she was hysterical", "hysterical"),
    ("he is broken", "he is broken", "broken"),
    ("Both partners are hopeless.", "Both partners are hopeless", "hopeless"),
    ("Tom\u2019s anxious wife called.", "anxious wife", "anxious"),
    ("She IS ANXIOUS.", "She IS ANXIOUS", "anxious"),  # labels match in any case
]

# Each must produce no finding at all.
NOT_FLAGGED = [
    # externalized: the problem is named (capitalised) and kept apart from the people
    "the Anxiety is loud tonight",
    "The Silence moved in after the move.",
    "When the Panic visits, she goes quiet and waits it out.",
    "Her Anxiety and his Resistance met on Sunday.",
    "she suffers from the Panic",
    "Worry is needy and loud this week.",
    "The Panic was hysterical, they said, laughing.",
    # the clients' own words, kept as said
    'She said "I am hopeless" and cried.',
    "He said \u201cshe is so clingy\u201d twice.",
    "She said \u2018I can\u2019t, I\u2019m hopeless\u2019 quietly.",
    "\u5979\u8bf4\u300c\u6211\u662f hopeless\u300d",
    "He called her \u00abhysterical\u00bb.",
    # negated: the sentence tells the story against the label
    "she is not anxious today",
    "he isn't resistant",
    "he was never non-compliant",
    "She is no longer clingy.",
    "He never fails to bring flowers.",
    "she didn't refuse to come",
    # situations rather than people
    "an anxious moment",
    "It was an anxious week for both.",
    "a hopeless case of rain",
    "the window was broken",
    "she is crazy about him",
    "they were resisting the urge to shout",
    "he bought a resistance band",
    "an alcoholic drink",
    # inside other words; feelings reported, not verdicts
    "she answered anxiously",
    "a non-anxious presence",
    "he said he feels anxious",
    "She has OCD and manages it well.",
]


@pytest.mark.parametrize(("text", "phrase", "rule"), FLAGGED)
def test_flags_deficit_phrasing(text, phrase, rule):
    findings = check(text)
    assert [(f.phrase, f.rule) for f in findings] == [(phrase, rule)]
    f = findings[0]
    assert text[f.start : f.end] == f.phrase
    assert f.why
    assert 1 <= len(f.suggestions) <= 3
    assert all(s and "{" not in s for s in f.suggestions)


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_leaves_alone(text):
    assert check(text) == []


def test_rules_are_data():
    keys = [r.key for r in RULES]
    assert len(keys) == len(set(keys))
    for rule in RULES:
        assert rule.why and 1 <= len(rule.suggestions) <= 3
        assert rule.traits or rule.owned or rule.phrases
    with pytest.raises(dataclasses.FrozenInstanceError):
        RULES[0].key = "changed"


def test_suggestions_speak_of_the_subject():
    [f] = check("Later he is resistant.")
    assert f.suggestions[0] == "he chose not to … (yet)"
    [f] = check("She is anxious.")
    assert f.suggestions[0] == "The Anxiety shows up for her when …"
    [f] = check("They are a dysfunctional couple.")
    assert "what happens" in f.suggestions[0]
    [f] = check("he is non-compliant")
    assert "did not fit" in f.suggestions[0]


PARAGRAPH = (
    "Session 4. She is anxious and he was being resistant; they said the Silence was back. "
    'He quoted her: "you are so needy". The couple is dysfunctional, he failed to do the '
    "exercise, and she suffers from anxiety. When the Panic visits she is not hopeless."
)


def test_multiple_findings_in_one_paragraph():
    findings = check(PARAGRAPH)
    assert [(f.phrase, f.rule) for f in findings] == [
        ("She is anxious", "anxious"),
        ("he was being resistant", "resistant"),
        ("The couple is dysfunctional", "dysfunctional"),
        ("failed to", "failed_to"),
        ("suffers from", "suffers_from"),
    ]
    assert all(PARAGRAPH[f.start : f.end] == f.phrase for f in findings)
    starts = [f.start for f in findings]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))


def test_longest_earliest_wins_without_overlap():
    # "he is an alcoholic" and "an alcoholic" both match; only the whole attribution is kept.
    assert [f.phrase for f in check("he is an alcoholic")] == ["he is an alcoholic"]


def test_cjk_mixed_text_keeps_offsets():
    text = "\u5979\u8bf4 \u201cI am hopeless\u201d \u4f46\u662f she is anxious"
    [f] = check(text)
    assert (f.phrase, f.rule) == ("she is anxious", "anxious")
    assert text[f.start : f.end] == f.phrase
    assert f.start == text.index("she is anxious")
    # no space between the Chinese and the English still works
    text = "\u4f46\u662fshe is anxious\u3002\u4ed6 is resistant"
    assert [f.phrase for f in check(text)] == ["she is anxious"]


def test_unclosed_quote_covers_only_its_line():
    text = 'She said "I am hopeless\nHe is resistant.'
    assert [f.phrase for f in check(text)] == ["He is resistant"]


def test_apostrophes_do_not_open_quotes():
    assert [f.phrase for f in check("the clients' words: he is resistant")] == [
        "he is resistant"
    ]


@pytest.mark.parametrize(
    "text",
    [PARAGRAPH, "", "plain text with nothing to flag", "\u5979\u8bf4 she is anxious\u3002"],
)
def test_segments_round_trip(text):
    pieces = segments(text)
    assert "".join(s for s, _ in pieces) == text
    flagged = [f for _, f in pieces if f is not None]
    assert flagged == check(text)
    for piece, f in pieces:
        assert piece
        if f is not None:
            assert isinstance(f, Finding) and piece == f.phrase


def test_segments_alternate_plain_and_flagged():
    pieces = segments("Today she is anxious.")
    assert [(s, f is not None) for s, f in pieces] == [
        ("Today ", False),
        ("she is anxious", True),
        (".", False),
    ]
