"""Suggestions that fit the sentence: the person as the sentence names them, the verb in its
tense and number, a capital only where the suggestion opens a sentence, and Chinese for a
Chinese sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import Family, Label


@dataclass(frozen=True)
class Person:
    """Who a label is said of: "Zhao Lei", "she", "the client", "他们"."""

    text: str
    plural: bool = False
    obj: str = ""
    poss: str = ""


@dataclass(frozen=True)
class Hit:
    """A label said of a person, as an engine found it: where, which, of whom, in which tense."""

    start: int
    end: int
    label: Label
    person: Person | None
    past: bool = False
    plain: str = ""  # the noun phrase without the label ("the client"), where that fits the slot


_EN_PRONOUNS = {"she": ("her", "her", False), "he": ("him", "his", False),
                "they": ("them", "their", True), "we": ("us", "our", True),
                "you": ("you", "your", True), "i": ("me", "my", True), "who": ("them", "their", True)}
_ZH_TO_EN = {"她": "she", "他": "he", "她们": "they", "他们": "they", "ta": "they", "TA": "they",
             "两人": "they", "两个人": "they", "双方": "they", "夫妻俩": "they", "他俩": "they",
             "她俩": "they", "夫妻": "they", "这对夫妻": "the couple", "来访者": "the client",
             "丈夫": "the husband", "妻子": "the wife", "太太": "the wife", "先生": "the husband",
             "老公": "the husband", "老婆": "the wife", "伴侣": "the partner", "对方": "the partner"}
_EN_TO_ZH = {"she": "她", "he": "他", "they": "他们", "we": "我们", "you": "你", "i": "我",
             "who": "他们", "both": "两人", "both of them": "两人", "each of them": "两人",
             "all of them": "他们", "the couple": "这对夫妻", "the client": "来访者",
             "the husband": "丈夫", "the wife": "妻子", "the partner": "伴侣",
             "this person": "这个人", "her husband": "她的丈夫", "his wife": "他的妻子",
             "her partner": "她的伴侣", "his partner": "他的伴侣", "their relationship": "他们的关系",
             "the relationship": "这段关系", "the marriage": "这段婚姻", "their marriage": "他们的婚姻"}
PRONOUN_OF_CJK = {k: v for k, v in _ZH_TO_EN.items() if v in ("she", "he", "they")}


def english_person(text: str, plural: bool | None = None) -> Person:
    """A person named in an English sentence; pronouns in lower case, names kept whole."""
    text = _ZH_TO_EN.get(text, text)
    low = text.lower()
    if low in _EN_PRONOUNS:
        obj, poss, is_plural = _EN_PRONOUNS[low]
        return Person(low, is_plural, obj, poss)
    if text.split(" ", 1)[0] in ("The", "This", "That", "Her", "His", "Their", "Both", "Each", "My",
                                 "Our", "Your", "A", "An"):
        text = text[0].lower() + text[1:]  # "The client" opening a sentence, "the client" inside
    if plural is None:
        plural = " and " in text or text.lower().startswith(("both", "all of", "each of"))
    poss = text + ("'" if text.endswith("s") and plural else "'s")
    return Person(text, plural, text, poss)


def chinese_person(text: str) -> str:
    return _EN_TO_ZH.get(text.lower(), _EN_TO_ZH.get(_ZH_TO_EN.get(text, ""), text))


_CHOICE = re.compile(r"\[([^\[\]|]*)\|([^\[\]|]*)\|([^\[\]|]*)\]")


def build(family: Family, label: Label, person: Person | None, *, past: bool, lang: str,
          capital: bool, written: str) -> tuple[str, ...]:
    """Fill the label's (or its family's) templates for this sentence."""
    if lang == "zh":
        templates = label.tries if label.kind == "zh" and label.tries else family.tries_zh
        who = chinese_person(person.text) if person else "他们"
        slots = {"subj": who, "obj": who, "poss": who + "的", "label": written,
                 "name": label.name if label.kind == "zh" and label.name else family.name_zh,
                 "what": (label.what if label.kind == "zh" else "") or "这个诊断"}
        return tuple(t.format_map(slots) for t in templates)
    templates = label.tries if label.kind != "zh" and label.tries else family.tries
    person = person or Person("they", True, "them", "their")
    if person.text in _ZH_TO_EN or person.text.lower() in _EN_PRONOUNS:
        person = english_person(person.text)
    slots = {"subj": person.text, "obj": person.obj or person.text,
             "poss": person.poss or person.text + "'s", "label": written.lower(),
             "name": (label.name if label.kind != "zh" else "") or family.name,
             "what": (label.what if label.kind != "zh" else "") or "this diagnosis"}
    index = 2 if past else 1 if person.plural else 0
    out = []
    for t in templates:
        s = _CHOICE.sub(lambda m: m.group(index + 1), t).format_map(slots)
        if capital:
            s = re.sub(r"^([^A-Za-z]*)([a-z])", lambda m: m.group(1) + m.group(2).upper(), s)
        out.append(s)
    return tuple(out)
