"""The session-note language check: what it flags, what it leaves alone, how its suggestions fit
the sentence, and its offsets. Precision and recall on labelled sets: test_language_sets.py."""

import itertools

import pytest

from clinic.notes.language import FAMILIES, Finding, check, chinese, segments
from clinic.notes.language.lexicon import LexiconError, load, plural, spellings, verb_forms


def phrases(text: str) -> list[str]:
    return [f.phrase for f in check(text)]


# -- where a label is said of a person ------------------------------------------------------------
@pytest.mark.parametrize(("text", "phrase", "family"), [
    ("Zhao Lei is very avoidant.", "Zhao Lei is very avoidant", "attachment"),
    ("She remains resistant.", "She remains resistant", "compliance"),
    ("He seems narcissistic.", "He seems narcissistic", "diagnostic"),
    ("We met an anxious partner.", "an anxious partner", "states"),
    ("She was a manipulative wife.", "She was a manipulative wife", "character"),
    ("Liu Jia is a narcissist.", "Liu Jia is a narcissist", "diagnostic"),
    ("Sam is married to a narcissist.", "a narcissist", "diagnostic"),
    ("Wei has poor judgement.", "Wei has poor judgement", "character"),
    ("He lacks insight.", "He lacks insight", "character"),
    ("Ting shows borderline traits.", "Ting shows borderline traits", "diagnostic"),
    ("Their relationship is toxic.", "Their relationship is toxic", "relationship"),
    ("Hao keeps sabotaging the plan.", "Hao keeps sabotaging", "behaviour"),
    ("We named his resistance.", "his resistance", "compliance"),
    ("Presents as guarded.", "Presents as guarded", "compliance"),
    ("她很焦虑。", "她很焦虑", "states"),
    ("他有抗拒。", "他有抗拒", "compliance"),
    ("赵磊是自恋型人格。", "赵磊是自恋型人格", "diagnostic"),
    ("周婷是焦虑型依恋。", "周婷是焦虑型依恋", "attachment"),
    ("他控制欲很强。", "他控制欲很强", "character"),
    ("刘佳太不成熟了。", "刘佳太不成熟", "character"),
    ("他们的关系很病态。", "他们的关系很病态", "diagnostic"),
    ("她 is anxious.", "她 is anxious", "states"),
    ("他很 resistant。", "他很 resistant", "compliance"),
])
def test_flags_a_label_said_of_a_person(text, phrase, family):
    [f] = check(text)
    assert (f.phrase, f.rule) == (phrase, family)
    assert text[f.start:f.end] == f.phrase and f.why and 1 <= len(f.suggestions) <= 3
    assert all(s and "{" not in s and "[" not in s for s in f.suggestions)


@pytest.mark.parametrize("text", [
    # feelings as passing states
    "She felt anxious before the call.", "He was anxious on Tuesday morning.",
    "那天她有点焦虑。", "她感到很绝望。", "她 felt anxious before the session.",
    # externalized names and quoted words
    "When the Anxiety visits, Jing goes quiet.", 'When "Anxiety" shows up, Jing breathes.',
    "Her Anxiety and his Resistance met on Sunday.", "The Jealousy lied to Ting again.",
    'She said "I am so needy" and laughed.', "He called himself \u201ca narcissist\u201d.",
    "She called it 'controlling' herself.", "「焦虑」出现的时候，她会先深呼吸。",
    "她说：\u201c我就是太黏人了。\u201d", "她说自己「很自恋」。",
    # negations
    "She is not anxious today.", "He isn't resistant.", "She is no longer clingy.",
    "Neither of them is a narcissist.", "他没有抗拒，只是需要时间。", "她不是冷漠，她是累了。",
    # other senses
    "Jing was anxious to start the exercise.", "They are anxious for news.",
    "A borderline result on the test worried him.", "an alcoholic drink", "he bought a resistance band",
    "She is critical of the plan.", "He is demanding an apology.", "He was drunk on Friday.",
    # the client's agency against the problem
    "Hao stood up to the Worry.", "Liu Jia resisted the urge to check his phone.",
    "He refused to let the Silence win.", "赵磊顶住了「怀疑」。",
    # a factual record of harm
    "He hit her on Tuesday.", "He pushed her against the wall; the safety plan was reviewed.",
    "他上周二打了她。",
    # person-first wording
    "She has OCD and manages it well.", "She has a bipolar diagnosis.", "她有双相障碍的诊断。",
    "周婷患有双相情感障碍，她和赵磊一起写了早期信号计划。", "赵磊确诊抑郁症两年，最近睡得好些。",
    # a feeling, a verb on something else, someone else's trait, another sense
    "那天晚上周婷感到很冷漠。", "Hao said he felt like a coward after the interview.",
    "他总是扭曲她的话。", "他有一个很难缠的上司。", "赵磊很敏感地注意到了她的变化。",
    "这个方法对他没用。", "The snake in the garden scared the children.",
    "They watched a film about a con artist.", "The clinic has no capacity for new couples.",
    "She has the curiosity of a child.", "His judgement about the job was sound.",
])
def test_leaves_alone(text):
    assert check(text) == []


# -- every label in a joined list ------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("Zhao Lei is manipulative and controlling.", ["Zhao Lei is manipulative", "controlling"]),
    ("Zhou Ting is insecure, jealous and possessive.",
     ["Zhou Ting is insecure", "jealous", "possessive"]),
    ("He is a narcissist and a liar.", ["He is a narcissist", "a liar"]),
    ("He is tired and manipulative.", ["He is tired and manipulative"]),
    ("An avoidant husband and an anxious wife.", ["An avoidant husband", "an anxious wife"]),
    ("Lei is resistant to change and non-compliant.", ["Lei is resistant", "non-compliant"]),
    ("他自私、冷漠、控制欲强。", ["他自私", "冷漠", "控制欲强"]),
    ("他很固执，也很自私。", ["他很固执", "自私"]),
])
def test_every_label_in_a_joined_list_is_flagged(text, expected):
    assert phrases(text) == expected


def test_a_negated_item_in_a_list_is_not_flagged():
    assert phrases("He is resistant, not lazy.") == ["He is resistant"]


# -- names are never split ------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "name"), [
    ("Zhao Lei is narcissistic.", "Zhao Lei"),
    ("Yesterday Zhou Ting was avoidant.", "Zhou Ting"),
    ("Chen Jing and Zhao Lei are avoidant.", "Chen Jing and Zhao Lei"),
    ("Mr Chen is non-compliant.", "Mr Chen"),
    ("赵磊 is narcissistic.", "赵磊"),
    ("周婷婷太敏感了。", "周婷婷"),
    ("欧阳娜娜非常情绪化。", "欧阳娜娜"),
    ("Zhao Lei很自恋。", "Zhao Lei"),
])
def test_names_stay_whole_in_the_phrase_and_the_suggestions(text, name):
    [f] = check(text)
    assert f.phrase.startswith(name)
    assert any(name in s for s in f.suggestions)
    given = name.partition(" ")[2]
    if given:  # never "Lei …" alone
        assert not any(given in s.replace(name, "") for s in f.suggestions)


# -- suggestions fit the sentence -----------------------------------------------------------------
def test_suggestions_take_a_capital_only_where_they_open_the_sentence():
    [f] = check("She is anxious.")
    assert f.suggestions[0] == "When \u2018Anxiety\u2019 shows up, she \u2026"
    [f] = check("Since the move she is anxious most days.")
    assert f.suggestions[0] == "when \u2018Anxiety\u2019 shows up, she \u2026"
    [f] = check("Later Jing is anxious.")
    assert f.suggestions[0] == "when \u2018Anxiety\u2019 shows up, Jing \u2026"


def test_suggestions_follow_tense_and_number():
    [f] = check("Jing was anxious about money.")
    assert f.suggestions[0] == "When \u2018Anxiety\u2019 showed up, Jing \u2026"
    [f] = check("Hao is bipolar.")
    assert "Hao lives with a bipolar diagnosis" in f.suggestions
    [f] = check("Chen Jing and Zhao Lei are bipolar.")
    assert "Chen Jing and Zhao Lei live with a bipolar diagnosis" in f.suggestions
    [f] = check("He was non-compliant.")
    assert "the exercise did not fit him this week" in f.suggestions[0].lower()


def test_suggestions_are_in_the_language_of_the_sentence():
    [f] = check("她很焦虑。")
    assert f.lang == "zh" and f.suggestions[0] == "「焦虑」出现的时候，她……"
    assert "外化" in f.why
    [f] = check("她 is anxious.")  # mostly English: English, and 她 read as "she"
    assert f.lang == "en" and f.suggestions[0] == "When \u2018Anxiety\u2019 shows up, she \u2026"
    [f] = check("Zhao Lei很自恋。")
    assert f.lang == "zh" and all("Zhao Lei" in s for s in f.suggestions)


def test_suggestions_for_a_relationship_speak_of_the_couple():
    [f] = check("They have a toxic relationship.")
    assert "between them" in f.suggestions[0]


def test_suggestions_for_a_missing_capacity_keep_the_name_and_the_case():
    [f] = check("Chen Jing's judgement is consistently poor.")
    assert f.phrase == "Chen Jing's judgement is consistently poor" and f.rule == "character"
    assert f.suggestions[0] == "Describe what Chen Jing does and what it is for"
    [f] = check("Since March, Sun Wei has no capacity for self-reflection.")
    assert f.phrase == "Sun Wei has no capacity for self-reflection"
    assert f.suggestions == ("describe what Sun Wei does and what it is for",
                             "Sun Wei is still learning to …")
    [f] = check("Liu Jia has the emotional maturity of a teenager.")
    assert f.phrase == "Liu Jia has the emotional maturity of a teenager"
    assert f.suggestions[1] == "Liu Jia is still learning to …"


def test_suggestions_for_new_english_labels_fit_the_sentence():
    [f] = check("Lei is a total doormat.")
    assert f.suggestions[0] == "Lei finds it hard to say no when …"
    [f] = check("Back then Lei was a sex addict.")
    assert "Lei lived with compulsive sexual behaviour" in f.suggestions
    [f] = check("He is a gaslighter.")
    assert f.suggestions[0].startswith("He and the partner remember")
    [f] = check("Zhou Ting and Sun Wei behave like children.")
    assert f.phrase == "Zhou Ting and Sun Wei behave like children"
    assert f.suggestions[1] == "Zhou Ting and Sun Wei are still learning to …"


def test_suggestions_for_new_chinese_patterns_keep_the_full_name():
    first, second = check("欧阳娜娜冷漠自私。")
    assert first.phrase == "欧阳娜娜冷漠" and second.phrase == "自私"
    assert all("欧阳娜娜" in s for f in (first, second) for s in f.suggestions)
    [f] = check("王浩对自己的问题毫无自知之明。")
    assert f.phrase == "王浩对自己的问题毫无自知之明"
    assert f.suggestions == ("描述王浩做了什么，想满足什么需要", "王浩还在学习……")
    [f] = check("刘佳像个长不大的孩子。")
    assert f.phrase == "刘佳像个长不大的孩子" and f.suggestions[1] == "刘佳还在学习……"


def test_a_chinese_clause_that_leaves_its_subject_unsaid_speaks_of_the_topic():
    [f] = check("刘佳根本不懂得体谅别人，是个自私鬼。")
    assert f.phrase == "是个自私鬼" and f.suggestions[1] == "刘佳还在学习……"
    for text in ("周婷哭了，不是玻璃心。", "赵磊今天来得很早，总是很焦虑。",
                 "王浩不再逃避，是个很大的进步。"):
        assert not check(text), text


def test_suggestions_for_a_chinese_relationship_label_speak_of_the_couple():
    for text in ("这段婚姻功能失调。", "他们的婚姻早已名存实亡。", "赵磊和周婷之间是创伤联结。"):
        [f] = check(text)
        assert f.rule == "relationship", text
        assert f.suggestions == ("描述两人之间发生了什么、带来了什么影响（当……时，就……）",
                                 "「这个模式」最近让他们很辛苦"), text


# -- the lexicon is data ---------------------------------------------------------------------------
def test_the_lexicon_holds_hundreds_of_labels_in_every_family():
    english = [lab for f in FAMILIES for lab in f.labels if lab.kind != "zh"]
    chinese = [lab for f in FAMILIES for lab in f.labels if lab.kind == "zh"]
    assert len(english) >= 900 and len(chinese) >= 800
    keys = {f.key for f in FAMILIES}
    assert keys == {"attachment", "behaviour", "character", "compliance", "diagnostic",
                    "relationship", "states"}
    for family in FAMILIES:
        assert family.why and family.why_zh and family.tries and family.tries_zh


def test_inflections_are_generated_by_rule():
    assert plural("narcissist") == "narcissists" and plural("madwoman") == "madwomen"
    assert plural("control freak") == "control freaks"
    forms, past = verb_forms("act out")
    assert forms == ("act out", "acts out", "acted out", "acting out") and past == ("acted out",)
    assert verb_forms("guilt-trip")[0][3] == "guilt-tripping"
    assert {"non-compliant", "non compliant", "noncompliant"} <= spellings("non-compliant")
    assert "judgment" in spellings("judgement") and "catastrophising" in spellings("catastrophizing")
    assert phrases("Ting is catastrophising again.") == ["Ting is catastrophising"]
    assert phrases("They are narcissists.") == ["They are narcissists"]


def test_a_bad_lexicon_file_is_refused(tmp_path):
    (tmp_path / "bad.toml").write_text(
        'key = "bad"\ntitle = "t"\nwhy = "w"\nwhy_zh = "w"\ntry = ["{who} x"]\ntry_zh = ["x"]\n'
        'name = "n"\nname_zh = "n"\n[en]\nadjectives = ["odd"]\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="bad template"):
        load(tmp_path)
    (tmp_path / "bad.toml").write_text(
        'key = "bad"\ntitle = "t"\nwhy = "w"\nwhy_zh = "w"\ntry = ["x"]\ntry_zh = ["x"]\n'
        'name = "n"\nname_zh = "n"\n[en]\nadjectives = ["odd"]\n[en.names]\nodds = "Odd"\n',
        encoding="utf-8")
    with pytest.raises(LexiconError, match="not in the family"):
        load(tmp_path)


def test_every_clash_between_families_is_reported_at_once(tmp_path):
    family = ('key = "{key}"\ntitle = "t"\nwhy = "w"\nwhy_zh = "w"\ntry = ["x"]\ntry_zh = ["x"]\n'
              'name = "n"\nname_zh = "n"\n[en]\nadjectives = ["odd", "rum"]\n')
    for key in ("one", "two"):
        (tmp_path / f"{key}.toml").write_text(family.format(key=key), encoding="utf-8")
    with pytest.raises(LexiconError, match="'odd' is in one/odd and two/odd; 'rum' is in"):
        load(tmp_path)


def test_a_chinese_capacity_is_generated_with_its_lacks():
    [label] = [lab for f in FAMILIES for lab in f.labels if lab.kind == "zh" and lab.word == "同理心"]
    assert {"毫无^同理心", "缺乏^同理心", "没有^同理心", "同理心~差"} <= set(label.forms)
    for text in ("他毫无同理心。", "他缺乏最基本的同理心。", "他的同理心非常差。", "赵磊完全没有同理心。"):
        assert check(text), text
    for text in ("他很有同理心。", "他并不缺乏同理心。", "他不是没有同理心，只是太累了。"):
        assert not check(text), text


# -- offsets and pieces ---------------------------------------------------------------------------
PARAGRAPH = (
    "Session 4. She is anxious and he was being resistant; they said the Silence was back. "
    'He quoted her: "you are so needy". The couple is dysfunctional, and she lacks insight. '
    "When the Panic visits she is not hopeless. 那天她有点焦虑。他有抗拒。"
)


def test_multiple_findings_in_one_paragraph():
    findings = check(PARAGRAPH)
    assert [(f.phrase, f.rule) for f in findings] == [
        ("She is anxious", "states"),
        ("he was being resistant", "compliance"),
        ("The couple is dysfunctional", "relationship"),
        ("she lacks insight", "character"),
        ("他有抗拒", "compliance"),
    ]
    assert all(PARAGRAPH[f.start:f.end] == f.phrase for f in findings)
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))


def test_cjk_mixed_text_keeps_offsets():
    text = "\u5979\u8bf4 \u201cI am hopeless\u201d \u4f46\u662f she is anxious"
    [f] = check(text)
    assert f.phrase == "she is anxious" and f.start == text.index("she is anxious")


def test_unclosed_quote_covers_only_its_line():
    assert phrases('She said "I am hopeless\nHe is resistant.') == ["He is resistant"]


def test_apostrophes_do_not_open_quotes():
    assert phrases("the clients' words: he is resistant") == ["he is resistant"]


@pytest.mark.parametrize("text", [PARAGRAPH, "", "plain text with nothing to flag", "她说 she is anxious。"])
def test_segments_round_trip(text):
    pieces = segments(text)
    assert "".join(s for s, _ in pieces) == text
    assert [f for _, f in pieces if f is not None] == check(text)
    for piece, f in pieces:
        assert piece
        if f is not None:
            assert isinstance(f, Finding) and piece == f.phrase


def test_a_label_before_a_noun_is_offered_the_noun_without_it():
    [f] = check("We met the borderline client.")
    assert f.suggestions[0] == "the client"
    assert [f.suggestions[0] for f in check("An avoidant husband and an anxious wife.")] == [
        "A husband", "a wife"]


def test_a_suggestion_written_back_into_the_sentence_is_not_flagged_again():
    for text in ("She is anxious.", "Hao is bipolar.", "We met the borderline client.",
                 "Zhao Lei is avoidant.", "他有抗拒。", "Ting is in denial.", "He lacks insight."):
        for f in check(text):
            for suggestion in f.suggestions:
                rewritten = text[:f.start] + suggestion + text[f.end:]
                assert check(rewritten) == [], rewritten


def test_every_chinese_pattern_compiles_and_numbers_its_labels():
    """The Chinese patterns are compiled when a note first needs them, not at import: each one
    compiles, and has one group per label (a match's group number names its label)."""
    for key, forms in chinese._CHINESE.items():
        assert forms.pattern.groups == len(forms.labels), key
