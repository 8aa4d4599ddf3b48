"""Chinese: deficit labels said of a person (她很焦虑, 赵磊是自恋型人格, 他有抗拒, 他控制欲很强).

A label counts when a person (a pronoun, a name kept whole with its surname, "她的丈夫", "他们的
关系", "赵磊和周婷之间") stands before it with only 是/很/有/太/总是/一对 …, an aspect (性格, 在情感上)
or whom it concerns (对周婷) between; directly when it ends the clause (孙伟冷漠无情。) or reads as
a predicate on its own (情绪不稳定, 不配合). Labels joined by 、/和/也/又 after a flagged one count
too. Not flagged: quoted words (「」“”), a negation between person and label, a feeling (她感到
很冷漠, 那天她有点焦虑), a diagnosis in person-first words (患有…, 确诊…), a label used as a verb
on someone else (扭曲她的话) or said of what a person has (他有一个很难缠的上司).
"""

from __future__ import annotations

import re

from . import vocab as v
from .lexicon import FAMILIES, LEXICON, Label
from .suggest import Hit, Person
from .text import CJK, inside


def _surnames() -> tuple[str, str]:
    words = [w for line in (LEXICON / "surnames_zh.txt").read_text(encoding="utf-8").splitlines()
             if not line.startswith("#") for w in line.split()]
    single = "".join(w for w in words if len(w) == 1)
    return f"[{single}]", "|".join(w for w in words if len(w) > 1)


_SINGLE, _COMPOUND = _surnames()
# A given name's characters: never one that starts the chain or is a pronoun or a particle.
_NOT_GIVEN = ("是很有太总老比非特十挺真极过越变显就属实那这超蛮还也都又更最典个位种似看依仍在的确本简完"
              "根其可应已感觉了地得不没未别并从毫绝和与跟、她他它们我你说对被把让给会要能想做患确诊早过之像")
_GIVEN = rf"(?:[{CJK}](?<![{_NOT_GIVEN}]))"
_GIVEN_FIRST = rf"(?:[{CJK}](?<![{_NOT_GIVEN.replace('超', '')}]))"  # 马超 is a name; 周婷超自私 is not
_NAME = (rf"(?!任何)(?:{_COMPOUND}|{_SINGLE}){_GIVEN_FIRST}{_GIVEN}?(?:先生|女士|太太|小姐)?|"
         rf"(?:小|老|阿){_SINGLE}|"
         rf"{_SINGLE}(?:先生|女士|太太|小姐|老师)|[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?")
_WHO = rf"(?:{v.ZH_PRONOUNS}|{_NAME})"
_ONE = (rf"(?:{_WHO}的(?:{v.ZH_KIN}|{v.ZH_CONDUCT})|"
        rf"(?:{_WHO}(?:之间)?的)?(?:{v.ZH_RELATION})|这段(?:{v.ZH_RELATION})|"
        rf"{_WHO})")
_NEG_WORDS = "不是|不再|不太|不会|并不|并非|从不|从来不|从没|从来没|没有|没|不|未|别|毫不|绝不|并"
# "对自己的问题毫无自知之明", "对周婷很冷漠": whom or what the label is said about.
_TOWARD = "(?:对|对于)[^，。；,;、是很不没]{1,8}?|在[^，。；,;、是很不没]{1,8}?(?:上|方面|中|里)"
_CHAIN = rf"(?:{v.ZH_CHAIN}|{_NEG_WORDS}|{v.ZH_ASPECT}|{_TOWARD}|\s)*"
_SUBJ = (rf"{_ONE}(?:(?:和|与|跟|、){_ONE})*"
         "(?:之间|两人|两个人|俩|两口子|夫妻俩|夫妻|这个人|这人|此人|这种人|这样的人|这类人)?")
_PREFIX = re.compile(rf"(?P<subj>{_SUBJ}|^{_GIVEN}{{2,3}})\s*(?P<chain>{_CHAIN})$")
_REAL_SUBJ = re.compile(_SUBJ)
_OPENING = re.compile(rf"\s*({_SUBJ})")
_UNSAID = re.compile(rf"\s*(?:{v.ZH_CHAIN}|{v.ZH_ASPECT})+")  # 是个, 总是很: no negation, no subject
# After a label said straight after a person (孙伟冷漠无情。): only the clause's end or a particle.
_PREDICATE_END = re.compile(
    r"\s*(?:了|啦|呢|吧|的|得像[^，。；,;]{1,10}?(?:一样|似的)?|极了|透了|至极|透顶|得很|得不行|得要命|得不得了|得厉害|得可怕|得离谱|"
    r"到了?极点|到家了?)?"
    r"\s*(?:了|啦|呢|吧)?\s*[。！？!?.…）)」”]*\s*")
_LIST_GAP = re.compile(r"\s*(?:、|和|又|且|而且|并且|也)?\s*")
# Words with 不 in them that negate nothing: 动不动就歇斯底里, 不折不扣的巨婴.
_NOT_NEGATION = re.compile("动不动|不折不扣|时不时|不时|不断|不停|不管|不论|忍不住|禁不住|免不了|少不了")
# A label word used as a verb on something else: 他总是扭曲她的话, 他冷漠了她一整周.
_VERB_USE = re.compile("[了着过](?![。！？!?，,；;]|$)|[她他我你它]|别人|事实|对方")
_DISORDER = re.compile("(?:症|障碍|疾病)$")  # 她有抑郁症: a disorder she has, in person-first words
# 周婷对钱的焦虑来自……, 她在会谈中的阻抗: a feeling or a stance named as a noun, not a verdict
_NOUN_OF = re.compile("对[^，。；]*的$|在[^，。；]*(?:中|里|上|方面)的$")
_HAS_ONE = re.compile("有(?:一)?(?:个|位|种|些)")  # 他有一个很难缠的上司: said of someone else
# "周婷患有双相情感障碍": a diagnosis she has, in person-first words.
_HAS_DIAGNOSIS = re.compile(
    "(?:患有|患上|患了|罹患|确诊|诊断为|诊断出|诊断有|被诊断|得了|有着)[^，。；]{0,4}$")
_JOINED = re.compile(rf"^(?:{v.ZH_CONNECTORS}|{v.ZH_CHAIN}|\s)*$")
_RELATIONSHIP = re.compile(rf"(?:{v.ZH_RELATION})$")
# "有双相障碍的诊断": a diagnosis said as something a person has, not who they are.
_PERSON_FIRST = re.compile("(?:障碍|症)?(?:的)?(?:诊断|治疗|药)|的困扰|的问题")
# "没有证据表明周婷有任何人格障碍": the label's existence is denied before the person is named.
_NO_EVIDENCE = re.compile(
    "(?:没有|并无|毫无|无|尚无|未见|找不到|缺乏)(?:任何)?(?:证据|迹象|依据|表现)|排除了?")
_CLAUSE = re.compile(r"[，,；;：:]")


_ALONE = f"(?![{CJK}])"  # what a final "$" stands for: the word ends there (自我$, not 自我反省)
_SOME = "[^，。；,;、]{0,6}?"  # what "…" in a Chinese label stands for: 像个…孩子
# What "^" stands for between a lack and a capacity: 缺乏最基本的同理心, 没有一点责任感.
_FILL = ("(?:最基本的|基本的|最起码的|起码的|一点|一点点|任何|丝毫的?|半点|一丝|应有的|必要的|男人的|女人的|"
         "丈夫的|妻子的|父亲的|母亲的|成年人的|大人的){0,2}")


class _Forms:
    """The Chinese forms that start with one key: one pattern of alternatives, longest first, and
    the label of each alternative (by group number). The pattern is compiled the first time a note
    has that key: the ~850 patterns take seconds to compile, which every process that imports the
    app (the CLI, the worker, each web worker) would otherwise pay as it starts, while a note
    touches a few dozen of them."""

    __slots__ = ("_pattern", "_source", "labels")

    def __init__(self, entries: list[tuple[str, Label]]):
        entries.sort(key=lambda e: -len(e[0]))  # the longest pattern is tried first
        self._source = "|".join(f"({rx})" for rx, _ in entries)
        self._pattern: re.Pattern[str] | None = None
        self.labels = [label for _, label in entries]

    @property
    def pattern(self) -> re.Pattern[str]:
        # Two threads compiling the same key at once both get an equal pattern: no lock needed.
        if self._pattern is None:
            self._pattern = re.compile(self._source)
        return self._pattern


def _index() -> tuple[dict[str, _Forms], dict[str, Label]]:
    """Chinese forms by their first two characters (or the first alone when a "~", "…" or "^"
    follows it), one pattern of alternatives each (a "~" takes degree words: 控制欲~强; a "…" a
    few characters: 像个…孩子), and the English adjectives and identity nouns, which count after
    Chinese words ("他很 resistant")."""
    by_start: dict[str, list[tuple[str, Label]]] = {}
    english: dict[str, Label] = {}
    for family in FAMILIES:
        for label in family.labels:
            for form in label.forms:
                if label.kind == "zh":
                    rx = v.ZH_DEGREE.join(
                        _SOME.join(re.escape(w) for w in part.split("…"))
                        for part in form.split("~")).replace(r"\^", _FILL).replace(r"\$", _ALONE)
                    key = form[:1] if len(form) < 2 or form[1] in "~…^" else form[:2]
                    by_start.setdefault(key, []).append((rx, label))
                elif label.kind in ("adj", "noun", "person"):
                    english[form] = label
    return {key: _Forms(entries) for key, entries in by_start.items()}, english


_CHINESE, _ENGLISH = _index()
_FIRST = re.compile("[" + "".join(sorted({re.escape(k[0]) for k in _CHINESE})) + "]")
_ENGLISH_AFTER_CJK = re.compile(rf"(?<=[{CJK}])\s*([A-Za-z][A-Za-z'-]*(?: [A-Za-z][A-Za-z'-]*){{0,3}})")


def _labels(clause: str):
    """(start, end, label) of each label in the clause, leftmost and longest first."""
    found = []
    for m in _ENGLISH_AFTER_CJK.finditer(clause):
        words = m.group(1).split(" ")
        for n in range(len(words), 0, -1):
            label = _ENGLISH.get(" ".join(words[:n]).lower())
            if label:
                end = m.start(1) + len(" ".join(words[:n]))
                found.append((m.start(1), end, label))
                break
    i = 0
    while first := _FIRST.search(clause, i):
        i = first.start()
        best = None  # the longer of the matches keyed by two characters and by one
        for key in (clause[i:i + 2], clause[i]):
            if (forms := _CHINESE.get(key)) and (m := forms.pattern.match(clause, i)) \
                    and (best is None or m.end() > best[0]):
                best = (m.end(), forms.labels[m.lastindex - 1])
        if best:
            found.append((i, *best))
            i = best[0]
        else:
            i += 1
    return sorted(found, key=lambda e: e[0])


def _person(subj: str) -> Person:
    subj = re.sub(f"的(?:{v.ZH_CONDUCT})$", "", subj)  # 赵磊的沉默: the verdict is on 赵磊
    if _RELATIONSHIP.search(subj) and not subj.endswith(("她", "他")):
        return Person("他们", True)
    return Person(subj.strip(), plural=bool(re.search("们|两|俩|双方|夫妻|和|与|跟|、", subj)))


def find(text: str, start: int, end: int, quotes: list[tuple[int, int]]) -> list[Hit]:
    """Labels said of a person in the sentence text[start:end]."""
    hits: list[Hit] = []
    last: Hit | None = None
    clause_start = start
    topic = None  # the person a clause opened with, who later clauses may leave unsaid
    bounds = [m.start() + start for m in _CLAUSE.finditer(text[start:end])] + [end]
    for clause_end in bounds:
        clause = text[clause_start:clause_end]
        pos = 0
        if (opening := _OPENING.match(clause)) and not v.ZH_NOT_TOPIC.match(opening[1]):
            topic = None if clause.startswith("的", opening.end()) else opening[1]  # 周婷的女儿
        labels = _labels(clause)
        # A label ends the clause's predicate when only particles, or further labels, follow it
        # (孙伟冷漠无情。 赵磊冷漠自私。).
        closes = [False] * len(labels)
        for k in range(len(labels) - 1, -1, -1):
            m_end = labels[k][1]
            closes[k] = bool(_PREDICATE_END.fullmatch(clause, m_end)) or (
                k + 1 < len(labels) and closes[k + 1]
                and _LIST_GAP.fullmatch(clause, m_end, labels[k + 1][0]) is not None)
        for (m_start, m_end, label), closing in zip(labels, closes, strict=True):
            a, b = clause_start + m_start, clause_start + m_end
            if inside(quotes, a, b) or _PERSON_FIRST.match(clause, m_end) \
                    or clause.startswith("地", m_end):  # 很敏感地注意到: how, not who
                continue
            prefix = clause[:m_start]
            found = _PREFIX.search(prefix)
            time_bound = label.passing and bool(v.ZH_TIME.search(prefix) or v.ZH_FEEL.search(prefix))
            if found and found["subj"] == prefix[:len(found["subj"])] and v.ZH_NOT_TOPIC.search(
                    found["subj"]) and not re.match(_ONE, found["subj"]):
                found = None  # "周末很忙": a time or a thing, not a person
            if found and prefix[found.start() - 1:found.start()] in ("对", "跟", "和") \
                    and prefix[max(found.start() - 2, 0):found.start()] not in ("这对", "那对", "一对"):
                found = None  # "她对张强太依赖": the person named is whom she depends on
            if found and not inside(quotes, clause_start + found.start(), a):
                chain = found["chain"]
                listed = clause[m_end:m_end + 1] == "、" or (
                    closing and _REAL_SUBJ.fullmatch(found["subj"]) is not None)
                if _HAS_DIAGNOSIS.search(prefix) or _NO_EVIDENCE.search(prefix) or _NOUN_OF.search(chain) or (
                        "有" in chain and "是" not in chain and _DISORDER.search(clause, 0, m_end)) or (
                        _HAS_ONE.search(chain) and clause.startswith("的", m_end)):
                    continue  # 患有双相情感障碍; 对钱的焦虑 (a noun); 他有一个很难缠的上司
                if (not chain.strip() and not label.bare and not listed) \
                        or v.ZH_NEGATORS.search(_NOT_NEGATION.sub("", chain)) \
                        or v.ZH_FEEL.search(chain.replace("给人的感觉", "")) or time_bound \
                        or (not closing and _VERB_USE.match(clause, m_end)):
                    continue
                last = Hit(clause_start + found.start(), b, label, _person(found["subj"]))
                hits.append(last)
                pos = m_end
            elif last is not None and _JOINED.match(text[max(last.end, clause_start):a]) \
                    and not v.ZH_NEGATORS.search(text[max(last.end, clause_start + pos):a]) \
                    and not time_bound:
                last = Hit(a, b, label, last.person)
                hits.append(last)
                pos = m_end
            elif topic and clause_start > start and (_UNSAID.fullmatch(prefix) or (
                    label.bare and not prefix.strip())) and not (
                    label.passing and (v.ZH_TIME.search(text, start, a) or "有" in prefix)) \
                    and not v.ZH_FEEL.search(prefix) and not _VERB_USE.match(clause, m_end):
                # 刘佳不懂得体谅别人 + 是个自私鬼: the clause's subject is the sentence's topic
                last = Hit(clause_start + len(prefix) - len(prefix.lstrip()), b, label, _person(topic))
                hits.append(last)
                pos = m_end
        clause_start = clause_end + 1
    return hits
