"""Suggest externalizing, strength-based rephrasings for deficit labels in session notes."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One family of labels.  Patterns are regex fragments, matched case-insensitively.

    traits:  said of a person ("she is X", "he's been so X", "an X client").
    owned:   nouns flagged when a person owns them ("his X", "the client's X").
    phrases: flagged wherever they stand (fixed phrasings, identity nouns).
    Suggestions may use {subj} {who} {poss} (taken from the sentence) and {label}.
    """

    key: str
    why: str
    suggestions: tuple[str, ...]
    traits: tuple[str, ...] = ()
    owned: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    label: str = ""


_EXTERNALIZE = "Externalizing keeps the problem apart from the person: the problem is the problem. "
_PERSON_FIRST = (
    "Person-first language: a diagnosis names something a person lives with, not who they are, "
    "and an identity label invites everyone to see only the label."
)
_IDENTITY_SUGGESTIONS = (
    "a person living with {label}",
    "describe the experience: what is hard for {who} with {label}, and what helps",
)


def _identity(key: str, traits: tuple[str, ...], label: str, phrases: tuple[str, ...] = ()) -> Rule:
    return Rule(key, _PERSON_FIRST, _IDENTITY_SUGGESTIONS, traits, (), phrases, label)


RULES: tuple[Rule, ...] = (
    Rule("anxious", _EXTERNALIZE + "Naming the Anxiety as a visitor leaves room to ask when it "
         "loses its grip.", ("{label} shows up for {who} when …", "{label} has been pushing {who} "
         "around lately"), ("anxious",), ("anxiety",), label="the Anxiety"),
    Rule("hopeless", _EXTERNALIZE + "Hopelessness speaks loudly but is not the whole story; "
         "look for what kept the person going.", ("{label} has been speaking loudly to {who}",
         "{subj} kept going even when hope was thin: what helped?"), ("hopeless",),
         ("hopelessness",), label="the Hopelessness"),
    Rule("resistant", "Calling a client resistant puts the stuck-ness inside them; the clients are "
         "the experts, so holding back usually has reasons worth hearing.",
         ("{subj} chose not to … (yet)", "{subj} may have good reasons to hold back from …"),
         ("resistant", "resistive",
          r"resisting(?!\s+(?:the\s+)?(?:(?-i:[A-Z])|urges?|temptations?|impulses?|pull))"),
         (r"resistance(?!\s+(?:bands?|training|exercises?))",)),
    Rule("non_compliant", "Compliance language casts the therapist as the expert giving orders; "
         "when homework does not happen, the fit of the task is the first thing to revisit.",
         ("the exercise did not fit this week; what would fit better?",
          "{subj} did something else with the exercise: what happened instead?"),
         (r"non[-\s]?compliant", r"not\s+compliant"), (r"non[-\s]?compliance",)),
    Rule("codependent", "A pathologising label for closeness; strength-based notes describe the "
         "care and the leaning on each other that it points to.",
         ("they care deeply about each other's wellbeing", "they lean on each other"),
         (r"co[-\s]?dependent",), (r"co[-\s]?dependen(?:cy|ce)",)),
    Rule("dysfunctional", "A global verdict says nothing about what actually happens; describing "
         "the pattern and its effects lets the couple stand against it.",
         ("describe what happens between them and its effects (when …, then …)",
          "the pattern of … has been making things hard for them"),
         ("dysfunctional",), ("dysfunction",)),
    Rule("manipulative", "Attributes bad intent; describing the behaviour and the need behind it "
         "keeps curiosity open.", ("{subj} tried hard to get a need met: which need, and how?",
         "describe what {subj} did and what it was meant to achieve"),
         ("manipulative", "manipulating"), ("manipulation", "manipulations")),
    Rule("attention_seeking", "Reframes a bid for connection as a flaw; relational-cultural "
         "thinking reads it as reaching for connection.",
         ("{subj} was reaching for connection", "{subj} wanted to be noticed by …"),
         (r"attention[-\s]seeking",), (r"attention[-\s]seeking",)),
    Rule("in_denial", "Claims to know better than the client; the clients are the experts on their "
         "own lives, and not being ready yet is information.",
         ("{subj} saw it differently: …", "talking about … did not feel possible for {who} yet"),
         (r"in\s+denial",), ("denial",)),
    Rule("unmotivated", "Locates the problem in the person; recovery-oriented language asks what "
         "would make change worth it to them.",
         ("{subj} had not yet found what would make this worth it",
          "what would need to happen for {who} to want …?"),
         ("unmotivated", r"not\s+motivated", "lazy"), (r"lack\s+of\s+motivation",)),
    Rule("needy", "Turns a longing into a defect; naming the longing honours what the person "
         "values.", ("{subj} longed for closeness and reassurance",
         "the Longing for reassurance is strong right now"), ("needy",), ("neediness",)),
    Rule("clingy", "Turns a wish for closeness into a defect; describe the reaching and what it "
         "protects.", ("{subj} wanted to stay close",
         "{subj} reached for the partner when the distance felt unsafe"),
         ("clingy",), ("clinginess",)),
    Rule("hysterical", "An old gendered label that dismisses distress; describe what was felt and "
         "shown, and what it says about what matters.",
         ("{subj} was very distressed and showed it openly", "the Distress was loud in the room"),
         ("hysterical", "histrionic", r"crazy(?!\s+about)"), ("hysteria", "hysterics")),
    Rule("broken", "A verdict of damage hides the survival and resources that are still there; "
         "strength-based notes describe the hurt and the standing up to it.",
         ("{subj} had been through a lot and was still standing", "under strain from …"),
         ("broken",)),
    _identity("narcissist", ("narcissistic", r"an?\s+narcissist"), "narcissistic patterns",
              (r"(?:an?\s+|the\s+)?narcissists?",)),
    _identity("bipolar", ("bipolar",), "bipolar disorder"),
    _identity("borderline", ("borderline",), "a borderline personality diagnosis"),
    _identity("alcoholic", ("alcoholic", r"an\s+alcoholic"), "a drinking problem",
              (r"(?:an\s+|the\s+)?alcoholics?(?!\s+(?:drinks?|beverages?))",)),
    _identity("addict", (r"an\s+addict",), "an addiction", (r"(?:an\s+|the\s+)?addicts?",)),
    _identity("ocd", ("ocd",), "OCD"),
    _identity("diagnosis_other", ("schizophrenic", "anorexic", "bulimic", "psychotic"),
              "this diagnosis"),
    Rule("failed_to", "Failure language marks the person, not the plan; strength-based notes say "
         "what did not happen yet and what got in the way.",
         ("did not get to", "has not yet"), phrases=(r"fail(?:s|ed|ing)?\s+to", r"failure\s+to")),
    Rule("refuses_to", "Refusal language frames a choice as opposition; the clients are the "
         "experts and usually have reasons.", ("chose not to (yet)", "decided against (for now)"),
         phrases=(r"refus(?:e|es|ed|ing)\s+to",)),
    Rule("suffers_from", _EXTERNALIZE + "'Suffers from' makes the person a passive container "
         "for the problem.", ("is up against", "has been living with", "is standing up to"),
         phrases=(r"suffer(?:s|ed|ing)?\s+from",)),
    Rule("victim_of", "Gentle: where harm happened, naming it matters; but 'victim' can hide how "
         "the person responded and resisted.", ("was hurt by … and responded by …",
         "has been surviving and standing up to …"),
         phrases=(r"(?:an?\s+|the\s+)?victims?\s+of",)),
    Rule("problem_couple", "The people are not the problem; the problem is the problem.",
         ("a couple up against a tough problem", "a couple in a hard season"),
         phrases=(r"(?:problem|difficult)\s+(?:couples?|clients?|patients?|partners?|famil(?:y|ies))",)),
)

# -- vocabulary for context ------------------------------------------------------------
# Latin-letter boundaries instead of \b: CJK characters count as \w, so "但是she is anxious"
# would otherwise hide "she".  A hyphen also counts as part of the word, so "non-anxious" and
# "anxious-making" are not "anxious", and "anxiously" is not "anxious" (an adverb describes
# how something was done, not who someone is).
_LETTER = r"A-Za-z\u00C0-\u024F"
_APOS = "['\u2019]"  # straight or typographic apostrophe
_L, _R = rf"(?<![{_LETTER}\-])", rf"(?![{_LETTER}\-])"
_PERSON = (r"(?i:clients?|patients?|couples?|partners?|wife|wives|husbands?|spouses?|m[ae]n|"
           r"wom[ae]n|persons?|people|boys?|girls?|guys?|lad(?:y|ies)|mothers?|fathers?|moms?|"
           r"mums?|dads?|parents?|sons?|daughters?|child(?:ren)?|kids?|teen(?:ager)?s?|"
           r"boyfriends?|girlfriends?|fianc[eé]e?s?|individuals?|famil(?:y|ies)|marriages?|"
           r"relationships?|households?|homes?|types?|personalit(?:y|ies))" + _R)
_DET = r"(?i:the|a|an|this|that|these|those|her|his|their|my|our|your|both|each|one)"
_INTENS = (r"(?i:so|very|really|quite|extremely|too|pretty|rather|incredibly|highly|deeply|"
           r"totally|completely|somewhat|fairly|increasingly|more|most|overly|super|terribly|"
           r"chronically|such|a\s+bit|a\s+little|kind\s+of|sort\s+of)")
# Linking verbs make a trait claim; "feels anxious" is left alone on purpose: a reported
# feeling is the client's own experience, not the clinician's verdict on who they are.
_LINK = (rf"(?:is|are|was|were|am|be|been|being|(?:is|are|was|were)n{_APOS}t|seems?|seemed|"
         r"appears?|appeared|becomes?|became|remains?|remained|gets?|got|grows?|grew|acts?|acted|"
         r"looks?|looked)")
_AUX = (r"(?:has|have|had|will|would|can|could|may|might|must|should|does|do|did|to|tends?|"
        r"tended|not|never|no|longer|ever|always|still|just|also|often|usually|sometimes|"
        r"generally|clearly|obviously|again|all|both|(?:has|have|had|does|do|did|would|could|"
        rf"should|must)n{_APOS}t|won{_APOS}t|can{_APOS}t)")
# The verb group between subject and label: "'s so", "has been", "was being", "isn't".
_TOKEN = rf"(?:{_APOS}(?:s|re|m|ve|d)|\s+(?i:{_LINK}|{_AUX})|\s+{_INTENS}){_R}"
_CHAIN = rf"(?P<chain>(?:{_TOKEN}){{1,6}})"
_HAS_LINK = re.compile(
    rf"(?i){_APOS}(?:s|re|m)(?![{_LETTER}])|(?<![{_LETTER}]){_LINK}(?![{_LETTER}])")
_PRONOUN = {"she": ("her", "her"), "he": ("him", "his"), "they": ("them", "their"),
            "i": ("me", "my"), "we": ("us", "our"), "you": ("you", "your"),
            "who": ("them", "their"), "both": ("them", "their"), "everyone": ("them", "their")}
_OWNER = {"his": "he", "her": "she", "their": "they", "my": "I", "our": "we", "your": "you"}
_NOT_NAMES = (r"The|This|That|These|Those|It|Its|There|Here|What|Which|Where|When|Why|How|"
              r"Everything|Nothing|Something|Anything|Today|Tonight|Session|Homework|Week")
# Capitalised problem names ("Panic", "Silence", "Worry") are the externalized problem, not a
# person: "Worry is needy and loud" is an externalized description and must not be flagged.
_PROBLEM_NAME = re.compile(
    r"[A-Z][a-z]*(?:ness|ety|ment|ism|tion|sion)|Panic|Worry|Fear|Anger|Doubt|Blame|Shame|"
    r"Guilt|Grief|Rage|Temper|Stress|Silence|Distance|Jealousy|Insecurity|Fight|Storm|Cloud|"
    r"Wall|Fog|Monster|Gremlin")
_NAME = rf"(?<!the )(?<!The )(?!(?:{_NOT_NAMES}){_R})[A-Z][a-z]+{_R}"
_SUBJECT = (rf"(?P<subj>(?:{_DET}\s+)?{_PERSON}|Partner\s+[A-Z]{_R}|(?i:"
            rf"{'|'.join(_PRONOUN)}){_R}|{_NAME})")
_OWNERS = rf"(?P<owner>(?i:{'|'.join(_OWNER)})|(?:(?:{_DET}\s+)?{_PERSON}|{_NAME}){_APOS}s)"


def _alt(parts: tuple[str, ...]) -> str:
    return "(?i:" + "|".join(parts) + ")"


def _compile(rule: Rule) -> list[tuple[str, re.Pattern[str]]]:
    """Build (form, regex) pairs for one rule; each regex has a `label` group."""
    out: list[tuple[str, str]] = []
    if rule.traits:
        label = rf"(?P<label>{_L}{_alt(rule.traits)}{_R})"
        # "she's anxious" but not "Sam's anxious wife" (a possessive, caught as attributive).
        out.append(("copula", rf"{_L}{_SUBJECT}{_CHAIN}\s+{label}(?!\s+{_PERSON})"))
        out.append(("attributive", rf"{_L}(?:{_DET}\s+)?(?:{_INTENS}\s+)*{label}\s+"
                   rf"(?:(?i:young|old|older|younger|new|married|single)\s+)?(?P<person>{_PERSON})"))
    if rule.owned:
        owned = rf"(?P<label>{_alt(rule.owned)}){_R}"
        out.append(("owned", rf"{_L}{_OWNERS}\s+(?:{_INTENS}\s+)?{owned}"))
    if rule.phrases:
        out.append(("phrase", rf"(?P<label>{_L}{_alt(rule.phrases)}{_R})"))
    return [(form, re.compile(p)) for form, p in out]


# A cheap label-only regex per rule lets check() skip rules whose words never occur.
_COMPILED = [(rule, re.compile(_alt(rule.traits + rule.owned + rule.phrases)), _compile(rule))
             for rule in RULES]


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    phrase: str
    rule: str
    why: str
    suggestions: tuple[str, ...]


# -- context helpers -------------------------------------------------------------------
# Opening -> closing quote: straight, curly double and single, CJK corner brackets, guillemets.
_OPEN, _CLOSE = '"\u201c\u2018\'\u300c\u300e\u00ab', '"\u201d\u2019\'\u300d\u300f\u00bb'
_QUOTES = dict(zip(_OPEN, _CLOSE, strict=True))


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """Spans of quoted client words; an unclosed quote runs to the end of its line."""
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


_CLAUSE_BREAK = re.compile(r"[.!?;:,\n()\[\]\u2014\u2013]|(?<![A-Za-z])(?i:and|but|or|because|"
                           r"when|while|whereas|although|though|if|unless|after|before|since|until)"
                           r"(?![A-Za-z])")
_WORD = re.compile(rf"[A-Za-z]+(?:{_APOS}[A-Za-z]+)?")
_NEGATORS = {"not", "never", "no", "nobody", "none", "neither", "nor", "hardly"}


def _negated(text: str, pos: int) -> bool:
    """True when a negator precedes `pos` within its clause (at most six words back).

    Negated labels are not flagged: "she is not anxious today" usually records a change or an
    exception, which is exactly what these notes want more of, and nagging about it would teach
    clinicians to ignore the check.  The label word itself is still deficit vocabulary, but the
    sentence is telling the story against it.
    """
    window = text[max(0, pos - 120):pos]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end():]
    words = [w.lower() for w in _WORD.findall(window)[-6:]]
    return any(w in _NEGATORS or w.endswith(("n't", "n\u2019t")) for w in words)


def _sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" \t")
    return not before or before[-1] in ".!?\n\"\u201c\u2018\u300c\u300e\u00ab:"


def _is_name(text: str, start: int, end: int) -> bool:
    """A capitalised noun mid-sentence ("the Anxiety", "her Resistance") is the problem's name.

    Matching of labels is case-insensitive; only this exception looks at case, so clinicians
    mark an externalized problem simply by capitalising it, as the couple's own name for it.
    """
    word = text[start:end]
    if not word[:1].isupper() or word.isupper():
        return False
    return text[:start].endswith(("the ", "The ")) or not _sentence_start(text, start)


def _context(m: re.Match[str], rule: Rule) -> dict[str, str]:
    groups = m.groupdict()
    subj, who, poss = "they", "them", "their"
    if groups.get("subj"):
        subj = groups["subj"]
        who, poss = _PRONOUN.get(subj.lower(), (subj, subj + "'s"))
    elif groups.get("owner"):
        owner = groups["owner"]
        subj = _OWNER.get(owner.lower()) or re.sub(rf"{_APOS}s$", "", owner)
        who, poss = _PRONOUN.get(subj.lower(), (subj, subj + "'s"))
    elif groups.get("person"):  # "an anxious wife": speak of "the wife"
        subj = who = "the " + groups["person"].lower()
        poss = subj + "'s"
    return {"subj": subj, "who": who, "poss": poss, "label": rule.label}


def _accept(text: str, form: str, m: re.Match[str], quotes: list[tuple[int, int]]) -> bool:
    start, end = m.span()
    if any(qs < end and start < qe for qs, qe in quotes):
        return False  # the clients' own words are kept exactly as said
    label_start, label_end = m.span("label")
    if _negated(text, label_start):
        return False
    if form == "copula":
        if not _HAS_LINK.search(m["chain"]):
            return False  # "she always anxious" is not a claim about who she is
        if _PROBLEM_NAME.fullmatch(m["subj"]):
            return False
    if form == "owned" and _is_name(text, label_start, label_end):
        return False
    if form == "phrase":
        # "suffers from the Panic": the object is already externalized.
        nxt = re.match(r"\s+(?:the\s+)?([A-Za-z]+)", text[end:])
        if nxt and _is_name(text, end + nxt.start(1), end + nxt.end(1)):
            return False
    return True


def _finding(rule: Rule, m: re.Match[str], text: str) -> Finding:
    ctx = _context(m, rule)
    capital = _sentence_start(text, m.start())  # the suggestion may replace a sentence opening
    suggestions = tuple(
        (s[:1].upper() + s[1:]) if capital else s
        for s in (t.format_map(ctx) for t in rule.suggestions))
    return Finding(m.start(), m.end(), m.group(), rule.key, rule.why, suggestions)


def check(text: str) -> list[Finding]:
    """Findings sorted by start, non-overlapping; `text[f.start:f.end] == f.phrase`."""
    quotes = _quote_spans(text)
    found: list[Finding] = []
    for rule, hint, forms in _COMPILED:
        if not hint.search(text):
            continue
        for form, rx in forms:
            pos = 0
            # Search again from each match start + 1: a rejected match must not hide an
            # overlapping one ("the couple is ..." rejected, "couple is ..." still tried).
            while (m := rx.search(text, pos)) is not None:
                pos = m.start() + 1
                if _accept(text, form, m, quotes):
                    found.append(_finding(rule, m, text))
    # Earliest first, then longest: "she is an alcoholic" beats the "an alcoholic" inside it.
    found.sort(key=lambda f: (f.start, f.start - f.end))
    result: list[Finding] = []
    for f in found:
        if not result or f.start >= result[-1].end:
            result.append(f)
    return result


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
