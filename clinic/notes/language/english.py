"""English: find the lexicon's labels in a sentence and keep those said of a person.

It counts when said of someone: "X is/seems (very) L", "a L partner", "X is a L", "has poor L",
"lacks L", "his L", "X keeps L-ing", and every label joined to one ("X and Y, Z"); not inside
quotes, under a negation, as an externalized Name, in another sense ("anxious to start"), or as
a feeling in passing ("felt anxious before the call").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from . import vocab as v
from .lexicon import FAMILIES, Label
from .suggest import PRONOUN_OF_CJK, Hit, Person, english_person
from .text import Token, inside, tokens


def _index() -> dict[str, list[tuple[tuple[str, ...], Label, bool]]]:
    index = defaultdict(list)
    for family in FAMILIES:
        for label in family.labels:
            if label.kind == "zh":
                continue
            for form in label.forms:
                key = tuple(t.norm for t in tokens(form))
                index[key[0]].append((key, label, form in label.past))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return dict(index)


_INDEX = _index()
_PROBLEMS = v.PROBLEM_WORDS | {w.lower() for f in FAMILIES for lab in f.labels
                               for w in (lab.name or f.name).split() if lab.kind != "zh"}


def _is_name(t: Token) -> bool:
    return (t.capitalised and t.norm not in v.NOT_NAMES and t.norm not in _PROBLEMS
            and not v.PROBLEM_SUFFIX.fullmatch(t.text))


@dataclass
class _Left:
    """What stands before a label: the person, the verb chain, and what the chain says."""

    start: int  # token index where the flagged phrase starts
    person: Person | None = None
    found: bool = False  # a person (or an implied one at the sentence start) was found
    link: bool = False
    feel: bool = False
    neg: bool = False
    past: bool = False
    passive: bool = False


class _Sentence:
    def __init__(self, text: str, start: int, end: int, quotes: list[tuple[int, int]]):
        self.text, self.quotes = text, quotes
        self.toks = tokens(text, start, end)
        self.norms = [t.norm for t in self.toks]
        self.lower = text[start:end].lower()
        self.first = next((k for k, t in enumerate(self.toks) if t.kind == "word"), 0)
        self.hits: list[Hit] = []
        self.last: tuple[int, Person | None, bool] | None = None  # (end token, person, past)

    # -- reading the words around a label ----------------------------------------------------
    def person_before(self, k: int) -> tuple[int, Person] | None:
        """The person whose phrase ends at token k, kept whole ("Zhao Lei", "her husband")."""
        toks, n = self.toks, self.norms
        if k < 0:
            return None
        t = toks[k]
        if t.kind == "cjk":
            for pronoun in sorted(PRONOUN_OF_CJK, key=len, reverse=True):
                if t.text.endswith(pronoun):
                    return k, english_person(pronoun)
            return (k, english_person(t.text)) if 2 <= len(t.text) <= 4 else None
        if n[k] in v.PRONOUNS:
            return k, english_person(t.text)
        if n[k] == "them" and k >= 2 and n[k - 1] == "of" and n[k - 2] in ("both", "all", "each", "two"):
            return k - 2, english_person(self.span(k - 2, k + 1), plural=True)
        if n[k] in ("both", "everyone", "everybody"):
            return k, english_person(t.text, plural=True)
        if len(t.text) == 1 and t.text.isupper() and k and n[k - 1] == "partner":
            return k - 1, english_person(self.span(k - 1, k + 1))
        if n[k] in v.PERSON_NOUNS or n[k] in v.REL_NOUNS:
            s = k
            while s > 0 and n[s - 1] in v.PERSON_MODS and s > k - 2:
                s -= 1
            if s > 0 and (n[s - 1] in v.DETS or n[s - 1] in v.POSSESSIVES):
                s -= 1
            elif s > 1 and n[s - 1] == "'s" and (_is_name(toks[s - 2]) or n[s - 2] in v.PERSON_NOUNS):
                s -= 2
                while s > 0 and _is_name(toks[s - 1]):
                    s -= 1
            plural = (n[k].endswith("s") and n[k] != "ex") or n[s] == "both"
            return s, english_person(self.span(s, k + 1), plural=plural)
        if _is_name(t) and not (k and n[k - 1] == "the"):
            s = k
            while s > 0 and (_is_name(toks[s - 1]) or n[s - 1] in v.TITLES) and n[s - 1] != "the":
                s -= 1
            plural = False
            if s > 1 and n[s - 1] in ("and", "&") and _is_name(toks[s - 2]):
                s, plural = s - 2, True
                while s > 0 and _is_name(toks[s - 1]):
                    s -= 1
            if s and n[s - 1] == "the":
                return None  # "the Worry", "The Silence": the externalized problem
            return s, english_person(self.span(s, k + 1), plural=plural)
        return None

    def left(self, i: int, *, free: int = 2) -> _Left:
        """Walk left from token i over the verb chain to the person the label is said of."""
        n = self.norms
        out = _Left(start=i)
        k, budget, after_sep = i - 1, free, False
        while k >= 0:
            w = n[k]
            if w == "as" and k >= 2 and n[k - 2] in v.COMPLEMENT_VERBS and n[k - 1] in v.OBJECTS:
                out.link, out.found, out.start = True, True, k - 1
                out.person = english_person(v.OBJECTS[n[k - 1]])
                return out
            if w in v.NEGATORS or (w == "longer" and k and n[k - 1] == "no"):
                out.neg = True
            elif w in v.LINKS or (k and ((w == "as" and n[k - 1] in v.AS_LINKS)
                                         or (w == "like" and n[k - 1] in v.LIKE_LINKS))):
                out.link = True
                out.passive |= w in v.BE
            elif w in v.FEEL:
                out.feel = True
            elif w in v.AUX or w in v.ADVERBS or w in v.PREMODS or w in v.AS_LINKS or (
                    w.endswith("ly") and w not in v.NOT_ADVERBS and self.toks[k].kind == "word"):
                pass
            elif w in v.SEPARATORS and not out.link:
                budget, after_sep = free, True
            elif after_sep and budget and self.toks[k].kind == "word" and w not in v.PRONOUNS \
                    and not self.toks[k].capitalised:
                budget -= 1
            else:
                break
            out.past |= w in v.PAST
            k -= 1
        if k >= 0 and (n[k] in ("neither", "nobody", "none") or (
                k >= 2 and n[k - 1] == "of" and n[k - 2] in ("neither", "none"))):
            out.neg = True  # "Neither of them is a narcissist."
        found = self.person_before(k)
        if found:
            out.start, out.person = found
            out.found = True
        elif k < self.first and out.link and i > self.first:
            out.start, out.found = self.first, True  # "Presents as guarded." (the client implied)
        return out

    def span(self, a: int, b: int) -> str:
        return self.text[self.toks[a].start:self.toks[b - 1].end]

    def next_norm(self, j: int) -> str:
        return self.norms[j] if j < len(self.norms) else "."

    def externalized(self, i: int) -> bool:
        t = self.toks[i]
        return t.capitalised and (i != self.first or (i and self.norms[i - 1] == "the"))

    def passing(self, label: Label, left: _Left) -> bool:
        """A feeling in passing: felt, or tied to a moment ("before the call", "on Sunday")."""
        if not label.passing:
            return False
        becomes = any(w in v.GETS for w in self.norms[left.start:left.start + 5])  # "gets jealous when"
        return left.feel or bool(v.TIME_WORDS.search(self.lower)) or (
            (left.past or becomes) and bool(v.WHEN_WORDS.search(self.lower)))

    def has_object(self, j: int) -> bool:
        t = self.toks[j] if j < len(self.toks) else None
        return t is not None and t.norm not in v.FOLLOW_FREE and not t.norm.endswith("ly")

    def noun_after(self, j: int) -> int | None:
        """Index of the person, relationship or trait noun a label stands before, if any."""
        n = self.norms
        for k in range(j, min(j + 5, len(n))):
            w = n[k]
            if w in v.PERSON_NOUNS or w in v.REL_NOUNS or w in v.TRAIT_NOUNS:
                return k if not self.toks[k].capitalised or k == self.first else None
            if not (w in v.SEPARATORS or w in v.PERSON_MODS or w in v.ADVERBS or w in _INDEX
                    or (w.endswith("ly") and w not in v.NOT_ADVERBS)):
                return None
        return None

    def premod_start(self, i: int) -> int:
        n, s = self.norms, i
        while s > 0 and (n[s - 1] in v.PREMODS or n[s - 1] in v.ADVERBS or n[s - 1] in v.DETS
                         or n[s - 1] in v.POSSESSIVES or n[s - 1].endswith("ly")):
            s -= 1
        return s

    # -- the forms in which a label is said of a person --------------------------------------
    def hit(self, a: int, j: int, label: Label, person: Person | None, past: bool) -> Hit:
        self.last = (j, person, past)
        return Hit(self.toks[a].start, self.toks[j - 1].end, label, person, past)

    def attributive(self, i: int, j: int, label: Label) -> Hit | None:
        """"an avoidant husband", "a toxic relationship", "He has narcissistic traits"."""
        noun = self.noun_after(j)
        if noun is None or self.next_norm(noun + 1) in ("diagnosis", "disorder", "diagnoses"):
            return None  # "a borderline personality diagnosis" is person-first
        n = self.norms
        a = self.premod_start(i)
        if any(n[k] in v.NEGATORS for k in range(a, i)):
            return None
        head = n[noun]
        if a > 1 and n[a - 1] == "'s" and (_is_name(self.toks[a - 2]) or n[a - 2] in v.PERSON_NOUNS):
            person = english_person(self.span(a - 2, a) + " " + self.toks[noun].text)  # "Tom's wife"
            return self.hit(a, noun + 1, label, person, False)
        has = a > 0 and n[a - 1] in v.HAS  # "Ting shows borderline traits"
        left = self.left(a - 1 if has else a, free=0)
        if left.neg:
            return None
        if left.found and (left.link or has):
            return self.hit(left.start, noun + 1, label, left.person, left.past)
        person = None
        if head in ("personality", "type", "character") and not left.found:
            return None  # "studying histrionic personality": a topic, not a person
        if head in v.PERSON_NOUNS:
            person = english_person("the " + self.toks[noun].text.lower(), plural=head.endswith("s"))
        hit = self.hit(a, noun + 1, label, person, False)
        kept = [t.text for t in self.toks[a:i] if t.norm in v.DETS or t.norm in v.POSSESSIVES]
        plain = " ".join([*kept, self.span(j, noun + 1)])
        if kept and kept[0].lower() in ("a", "an"):  # "an anxious wife" -> "a wife"
            plain = ("an " if plain[2:3].lower() in "aeiou" else "a ") + plain.split(" ", 1)[1]
        return replace(hit, plain=plain)

    def predicate(self, i: int, j: int, label: Label) -> Hit | None:
        """"Zhao Lei is (very) L", "she seems L", "he's a L", "presents as L"."""
        left = self.left(i)
        if not (left.found and left.link) or left.feel or left.neg or self.passing(label, left):
            return None
        if label.kind in ("noun", "person") and self.norms[j - 1] == label.word and not any(
                self.norms[k] in ("a", "an", "such") for k in range(self.premod_start(i), i)):
            return None  # "he was drunk" is a state; "he is a drunk" names him
        if label.word.endswith("ing") and label.kind == "adj" and self.has_object(j):
            return None  # "controlling her money", "withholding rent": an act, not a trait
        return self.hit(left.start, j, label, left.person, left.past)

    def identity(self, i: int, j: int, label: Label) -> Hit | None:
        """"married to a narcissist", "the addicts": nouns that name a person by a label."""
        n = self.norms
        a = self.premod_start(i)
        if any(n[k] in v.NEGATORS for k in range(a, i)) or self.left(a, free=0).neg \
                or any(w in v.FEEL for w in n[max(0, a - 3):a]) or n[a - 1:a] in (["about"], ["on"]):
            return None  # "feeling like a coward", "a book about narcissists"
        if self.has_object(j):
            return None  # "a drunk driver": an adjective here
        if a == i and not n[j - 1].endswith("s") and (not i or n[i - 1] not in ("like", "as")):
            return None
        return self.hit(a, j, label, english_person("this person"), False)

    def behaviour(self, i: int, j: int, label: Label, past: bool) -> Hit | None:
        """"Tom keeps sabotaging the date nights", "Ting is catastrophizing again"."""
        left = self.left(i, free=0)
        if not left.found or left.neg or left.feel or (past and left.passive):
            return None
        if label.objects is not None and self.has_object(j):
            rest = self.norms[j:j + 3]
            if not any(rest[:len(o.split())] == o.split() for o in label.objects):
                return None
        if j < len(self.toks) and (self.externalized(j) or inside(self.quotes, self.toks[j].start,
                                                                   self.toks[j].end)):
            return None
        return self.hit(left.start, j, label, left.person, past or left.past)

    def owned(self, i: int, j: int, label: Label) -> Hit | None:
        """"his immaturity", "Jing's resistance", "has a victim mentality"."""
        n, k = self.norms, i - 1
        while k >= 0 and k > i - 3 and (n[k] in v.ADVERBS or n[k] in v.PREMODS or n[k] in (
                "constant", "chronic", "usual", "ongoing", "serious", "severe", "deep", "real")):
            k -= 1
        if k < 0:
            return None
        if n[k] in v.POSSESSIVES and n[k + 1:i] != ["a"]:
            person = english_person(v.POSSESSIVES[n[k]])
            return self.hit(k, j, label, person, False)
        if n[k] == "'s" and k and (_is_name(self.toks[k - 1]) or n[k - 1] in v.PERSON_NOUNS):
            found = self.person_before(k - 1)
            if found:
                return self.hit(found[0], j, label, found[1], False)
        if n[k] in v.HAS and (n[k + 1:i][:1] in (["a"], ["an"]) or label.word.endswith("s")):
            left = self.left(k + 1, free=0)
            if left.found and not left.neg:
                return self.hit(left.start, j, label, left.person, left.past)
        return None

    def lacks(self, i: int, j: int, label: Label) -> Hit | None:
        """"lacks insight", "has poor judgement", "with no boundaries", "his lack of empathy"."""
        n, k = self.norms, i - 1
        while k >= 0 and n[k] in ("any", "the", "real", "much", "basic", "all", "a", "an", "very",
                                  "complete", "total", "serious", "significant", "quite", "such",
                                  "so", "really", "extremely", "pretty", "some", "of", "in", "for",
                                  "capacity", "ability", "sense", "taking", "showing"):
            if n[k] == "of" and k and n[k - 1] in v.LACK_OF:
                k -= 1
                break
            k -= 1
        if k < 0:
            return None
        if n[k] in v.DEFICIT:
            d = k - 1
            while d >= 0 and n[d] in ("very", "quite", "such", "so", "a", "an", "really", "pretty"):
                d -= 1
            if d < 0 or not (n[d] in v.HAS or n[d] in v.POSSESSIVES):
                return None
            k = d
        elif n[k] not in v.LACK and n[k] not in v.LACK_OF:
            return None
        if n[k] in v.POSSESSIVES or (k and n[k] in v.LACK_OF and n[k - 1] in v.POSSESSIVES):
            k -= n[k] not in v.POSSESSIVES  # "his lack of empathy"
            return self.hit(k, j, label, english_person(v.POSSESSIVES[n[k]]), False)
        left = self.left(k, free=0)
        if left.neg:
            return None
        start = left.start if left.found else k
        return self.hit(start, j, label, left.person, left.past or n[k] in ("had", "lacked"))

    def judged(self, i: int, j: int, label: Label) -> Hit | None:
        """A capacity said to be missing after it: "Jing's judgement is poor", "the maturity of a child"."""
        n, e, k = self.norms, j, i - 1
        if n[j:j + 2] in (["of", "a"], ["of", "an"]) and (  # "the maturity of a child"
                self.next_norm(j + 2) in v.CHILDREN or self.next_norm(j + 2).endswith("-year-old")):
            left = self.left(k if k >= 0 and n[k] == "the" else i, free=0)
            return self.hit(left.start, j + 3, label, left.person, left.past) \
                if left.found and not left.neg and n[k - 1:k] and n[k - 1] in v.HAS else None
        while (w := self.next_norm(e)) in v.ADVERBS or w in v.LINKS or w in v.AUX or w.endswith("ly"):
            e += 1
        if e == j or self.next_norm(e) not in v.POOR or not any(w in v.LINKS for w in n[j:e]):
            return None
        past = any(w in v.PAST for w in n[j:e])
        if k >= 0 and n[k] in v.POSSESSIVES:
            return self.hit(k, e + 1, label, english_person(v.POSSESSIVES[n[k]]), past)
        found = self.person_before(k - 1) if k > 0 and n[k] == "'s" else None
        return self.hit(found[0], e + 1, label, found[1], past) if found else None

    def joined(self, i: int, j: int, label: Label) -> Hit | None:
        """A further label in a list after one already flagged: "manipulative and controlling"."""
        if self.last is None or label.kind in ("owned", "lacks"):
            return None
        end, person, past = self.last
        between = self.norms[end:i]
        if not 0 < len(between) <= 7 or not any(w in v.SEPARATORS for w in between):
            return None
        if any(w in v.LINKS or w in v.PRONOUNS or w in v.NEGATORS or w in ";:.!?" or w == "'s"
               for w in between) or any(self.toks[k].capitalised for k in range(end, i)):
            return None
        if label.passing and (bool(v.TIME_WORDS.search(self.lower))):
            return None
        return self.hit(self.premod_start(i), j, label, person, past)

    # -- one pass over the sentence ----------------------------------------------------------
    def judge(self, i: int, j: int, label: Label, past: bool) -> Hit | None:
        if self.next_norm(j) in label.senses or self.externalized(i):
            return None
        kind = label.kind
        if kind == "verb":
            return self.behaviour(i, j, label, past) or self.joined(i, j, label)
        if kind == "owned":
            return self.owned(i, j, label)
        if kind == "lacks":
            return self.lacks(i, j, label) or self.judged(i, j, label)
        if kind == "adj" and not (label.either and self.next_norm(j) in v.FOLLOW_FREE
                                  and self.norms[i - 1:i] in (["a"], ["an"], ["the"])):
            return self.attributive(i, j, label) or self.joined(i, j, label) \
                or self.predicate(i, j, label)
        hit = self.joined(i, j, label) or self.predicate(i, j, label)
        if hit is None and (kind == "person" or label.either):
            hit = self.identity(i, j, label)
        return hit

    def run(self) -> list[Hit]:
        i, n = 0, len(self.toks)
        while i < n:
            found = None
            for key, label, past in _INDEX.get(self.norms[i], ()):
                j = i + len(key)
                if tuple(self.norms[i:j]) != key:
                    continue
                if inside(self.quotes, self.toks[i].start, self.toks[j - 1].end):
                    continue
                found = self.judge(i, j, label, past)
                if found:
                    break
            if found:
                self.hits.append(found)
                i = j
            else:
                i += 1
        return self.hits


def find(text: str, start: int, end: int, quotes: list[tuple[int, int]]) -> list[Hit]:
    """Labels said of a person in the sentence text[start:end]."""
    return _Sentence(text, start, end, quotes).run()
