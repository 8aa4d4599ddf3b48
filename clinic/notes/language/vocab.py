"""Closed-class words the engines read grammar with (pronouns, verbs that link a person to a
label, negators, time words). Labels themselves are data in lexicon/*.toml."""

from __future__ import annotations

import re


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# -- English -------------------------------------------------------------------------------------
PRONOUNS = words("she he they we you i who")
# Verbs that say what someone *is*; "feels"/"felt" are left out on purpose: a reported feeling is
# the client's own experience, not the clinician's verdict on who they are.
LINKS = words("is are was were am be been being 's 're 'm seem seems seemed appear appears "
              "appeared remain remains remained become becomes became becoming get gets got "
              "getting grow grows grew look looks looked sound sounds sounded act acts acted "
              "stay stays stayed turn turns turned acting seeming behave behaves behaved behaving")
GETS = words("get gets getting become becomes becoming")  # a state one enters: "gets jealous when"
AS_LINKS = words("across present presents presented presenting described")  # "comes across as"
LIKE_LINKS = words("act acts acted acting seem seems seemed look looks looked sound sounds sounded "
                   "behave behaves behaved behaving")  # "acts like a child"
FEEL = words("feel feels felt feeling")
AUX = words("has have had 've 'd will would 'll can could may might must should shall do does "
            "did to tend tends tended keep keeps kept continue continues continued start starts "
            "started begin begins began going used come comes came coming can't won't")
PAST = words("was were had 'd seemed appeared remained became got grew looked sounded acted "
             "stayed turned came presented kept tended continued started began did used felt")
BE = words("is are was were am be been being 's 're 'm get gets got getting")
NEGATORS = words("not n't never no hardly neither nor barely nobody none")
ADVERBS = words("always still often usually sometimes generally clearly obviously again just also "
                "really so very quite too pretty rather ever even now already increasingly "
                "frequently constantly typically basically honestly simply definitely probably "
                "certainly actually perhaps maybe somewhat fairly more most overly super terribly "
                "such incredibly highly deeply totally completely extremely chronically "
                "particularly especially seriously truly genuinely thoroughly utterly "
                "all both only")
PREMODS = words("a an the bit little kind sort of classic typical real total true textbook "
                "complete full-blown genuine absolute utter proper major huge massive bit "
                "borderline-level covert covertly malignant chronic habitual serial raging notorious "
                "inveterate incurable overt functioning high-functioning full-on overgrown big walking")
NOT_ADVERBS = words("only early family friendly lonely likely silly belly jelly holy ugly daily "
                    "weekly monthly elderly lovely")
DETS = words("the a an this that these those his her their my our your both each one another "
             "every any")
POSSESSIVES = {"his": "he", "her": "she", "their": "they", "my": "I", "our": "we", "your": "you"}
SEPARATORS = words(", and or & but yet plus")
PERSON_NOUNS = words(
    "client clients patient patients partner partners wife wives husband husbands spouse spouses "
    "man men woman women person people boy boys girl girls guy guys lady ladies mother mothers "
    "father fathers mom moms mum mums dad dads parent parents son sons daughter daughters child "
    "children kid kids teen teens teenager teenagers boyfriend boyfriends girlfriend girlfriends "
    "fiance fiancee fiancé fiancée individual individuals sister brother sisters brothers ex "
    "type types character personality individual mother-in-law father-in-law in-laws "
    "one couple couples")
REL_NOUNS = words("relationship relationships marriage marriages dynamic dynamics family families "
                  "household households home homes union bond bonds partnership pairing system "
                  "connection")
TRAIT_NOUNS = words("trait traits tendency tendencies feature features behaviour behaviours "
                    "behavior behaviors style styles streak side ways nature personality "
                    "attachment presentation pattern patterns cycle cycles loop loops dance")
PERSON_MODS = words("young old older younger new current former other male female second first "
                    "whole entire")
HAS = words("has have had having 's 've shows show showed shown showing displays display displayed "
            "exhibits exhibited demonstrates demonstrated with")
LACK = words("lack lacks lacked lacking")
LACK_OF = words("lack incapable devoid bereft void")  # "lack of", "incapable of empathy"
# "I would describe him as avoidant", "we see her as resistant"
COMPLEMENT_VERBS = words("describe describes described describing see sees saw seeing view views "
                         "viewed regard regards regarded consider considers considered")
OBJECTS = {"him": "he", "her": "she", "them": "they"}
DEFICIT = words("poor low no little limited weak impaired bad zero minimal reduced diminished "
                "questionable shaky nonexistent non-existent underdeveloped")
# What a capacity "is" when it is missing: "his judgement is poor", "her empathy seems lacking".
POOR = DEFICIT | words("lacking absent missing terrible awful appalling abysmal nil deficient "
                       "stunted wanting nonexistant lousy")
# "the emotional maturity of a teenager", "the self-awareness of a brick"
CHILDREN = words("child kid toddler teenager teen adolescent baby infant schoolboy schoolgirl boy "
                 "girl preschooler brick rock stone teaspoon goldfish doorknob wall plank")
TITLES = words("mr mrs ms miss mx dr")
NOT_NAMES = words(
    "the this that these those it its there here what which where when why how today yesterday "
    "tonight tomorrow then now later also still however since after before while session "
    "sessions homework week weekend monday tuesday wednesday thursday friday saturday sunday "
    "january february march april may june july august september october november december in "
    "on at for with during although though if but and so perhaps maybe sometimes often again "
    "last next first finally overall plan note notes update summary everyone someone nobody "
    "nothing something everything anything all each every most many some few our my his her "
    "their your we they she he i you both neither either one partner client couple not no yes "
    "over under between as because until unless once whether even just only very really we'd "
    "mum dad mom")
# Capitalised problem names ("the Silence", "when Worry visits") are the externalized problem,
# never a person; the lexicon's own names ("Anxiety", "Longing") are added by the engine.
PROBLEM_WORDS = words(
    "panic worry worries fear fears anger doubt blame shame guilt grief rage temper stress "
    "silence distance jealousy fight fights storm cloud wall fog monster gremlin control pattern "
    "conflict voice critic habit drink bottle spiral pressure sadness gloom drift gap weight "
    "shadow darkness noise rush tension chaos story argument arguments war sulk moods hurt alarm "
    "longing leaning misery")
PROBLEM_SUFFIX = re.compile(r"[A-Z][a-z]*(?:ness|ety|ment|ism|tion|sion|ance|ity)")
# After a label, these words mean the sentence goes on without giving the label an object.
FOLLOW_FREE = words(
    ", . ; : ! ? ) ( and or but about with when while whenever around in at on to toward towards "
    "towards of for from by during after before since as because if unless again lately recently "
    "today now then still too also again sometimes often at times this that these those in "
    "- — – \" ' ” ’ 」")
TIME_WORDS = re.compile(
    r"\b(?:today|tonight|yesterday|this (?:morning|afternoon|evening|week|session|time)|"
    r"last (?:night|week|session|time|weekend)|that (?:night|evening|day|morning|afternoon|moment|"
    r"week|weekend|time)|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|the phone|"
    r"the call|the way|the (?:morning|evening|night|day|afternoon|weekend))|at first|"
    r"at the (?:start|beginning|time)|for a (?:moment|while|bit|minute|second|few)|"
    r"briefly|momentarily|in (?:the|today's|this|that|our)(?: \w+)? session|"
    r"during|"
    r"before|after|until|earlier|beforehand|afterwards|then)\b")
WHEN_WORDS = re.compile(r"\b(?:when|while|as soon as|once)\b")

# -- Chinese -------------------------------------------------------------------------------------
ZH_PRONOUNS = ("她们俩|他们俩|她们|他们|她俩|他俩|她|他|TA|ta|两个人|两人|俩人|二人|双方|夫妻俩|夫妻二人|"
               "两口子|小两口|这对夫妻|这对伴侣|这对情侣|这两个人|这个人|此人|来访者|当事人|丈夫|妻子|太太|老公|老婆|男方|"
               "女方|伴侣|对方|男友|女友|男朋友|女朋友|爱人|另一半")
ZH_KIN = "丈夫|妻子|太太|先生|老公|老婆|伴侣|男朋友|女朋友|男友|女友|爱人|另一半|前任|妈妈|母亲|爸爸|父亲"
# A person's conduct named as the subject of a verdict: 赵磊的沉默是一种病态的逃避.
ZH_CONDUCT = ("沉默|逃避|回避|退缩|嫉妒|猜疑|依赖|控制|占有欲|讨好|冷漠|行为|做法|表现|反应|应对方式|"
              "处理方式|爱|付出|指责|抱怨|纠缠|顺从|忍让|拖延")
ZH_RELATION = ("关系|婚姻|感情|相处模式|互动模式|互动|沟通模式|沟通方式|相处方式|夫妻关系|亲密关系|家庭氛围|"
               "家庭")
# Between the person and the label: 是, degree adverbs, "always", measure words, "become".
ZH_CHAIN = ("被描述为|被形容为|被描述成|被形容成|被认为是|被认为|被看作是|被看作|被看成是|被看成|被视为|"
            "被当作是|"
            "被当成|被评估为|被评价为|被评定为|被称为|被说成是|被说成|被定性为|被归为|被归类为|被贴上|"
            "吵起架来|生起气来|发起脾气来|一吵架就|一贯|一贯都|素来|历来|惯常|一段|段|"
            "是|很|有|太|总是|总|老是|比较|非常|特别|十分|挺|真的|真|相当|极其|极度|过于|过分|有点儿|有点|"
            "有些|越来越|变得|显得|一直|一向|向来|始终|就是|属于|实在|那么|这么|特|超级|超|蛮|还是|也|都|又|"
            "还|更|最|典型的|典型|一个|个|一位|位|一种|种|明显|似乎|好像|看起来|看上去|依然|仍然|仍|在|的|"
            "确实|本来就|本身就|天生|简直|完全|根本|其实|可能|应该|已经|开始|有一点|一点|多少有点|"
            "感到|觉得|感觉|感受到|很强的|极强的|强烈的|严重的|很重的|很大的|明显的|极度的|"
            "非常强的|一对|对|早已|早就|已|过度|根本就|彻底|彻头彻尾|十足的|十足|纯粹|真是|活脱脱|"
            "就|充满了|充满|充斥着|满是|只会|只知道|就会|总会|老会|一场|场|一身的|一身|满身的|满身|到了|彻彻底底的|彻彻底底|彻底的|完完全全的|完完全全|百分百的|一个比一个还|一个比一个|一个赛一个|那种|这种|那类|这类|那样的|这样的|表现得|表现出|表现为|表现|给人的感觉是|给人的感觉|给人感觉|给人的印象是|给人一种|看着|"
            "只是|只不过是|不折不扣的|不折不扣|地地道道的|地道的|名副其实的|货真价实的|标准的|妥妥的|"
            "遇事|遇到事情|遇到事|一遇到事情|一遇到事|碰到事情|不过是|无非是|就像|像是|如同|犹如|堪称|算是|称得上|可以说是|一名|名|一副|副|整个|整天|成天|动不动就|越发|愈发|日益|本质上|骨子里|说到底|说白了")
# Aspects named between a person and a label: 他性格很软弱, 王浩情感发育不成熟, 赵磊在情感上很疏离.
ZH_ASPECT = ("(?:在)?(?:情感|感情|心理|心智|人格|性格|为人|做人|情绪|脾气|个性|内心|精神|思想|处事|"
             "待人|做事|处世|性情|性子|本性|天性|生性|秉性|人品|品性|心态|态度|说话|行事|办事|言行|举止|言谈举止|行为)(?:发育|上|方面|层面)?")
# What "~" in a Chinese label stands for: 控制欲~强 reads 控制欲很强, 控制欲非常强 …
ZH_DEGREE = ("(?:很|太|非常|特别|比较|极其|极度|极|十分|相当|有点|有些|过于|过度|越来越|更|最|超级|超|挺|"
             "太过|严重|完全|彻底|极为|格外|异常|出奇地?|越发|实在)*")
ZH_NEGATORS = re.compile("不|没|未|(?<!特)别(?!人|的|处)|非(?!常)|无(?!比)|毫不|绝不")
ZH_FEEL = re.compile("感到|觉得|感觉|感受到")
ZH_NOT_TOPIC = re.compile("今天|昨天|明天|最近|现在|平时|有时|周末|晚上|早上|这周|那天|当时|后来|其实|所以|"
                          "但是|因为|如果|这个|那个|这样|那样|一直|总是|还是|这篇|这本|文章|作业|练习|会谈|家里|工作")
ZH_TIME = re.compile(
    "那天|那晚|那时|当时|今天|昨天|昨晚|前天|刚才|刚刚|那一刻|一开始|开始时|起初|一度|一时|会前|会后|课前|"
    "这周|本周|上周|周[一二三四五六日末]|星期[一二三四五六日天]|早上|上午|下午|那次|这次|之后|以后|后来|之前|"
    "以前|过去|曾经|"
    "在[^，。,.；;]{1,12}?(?:前|后|时|之前|之后|的时候|期间)|的时候|时候")
ZH_CONNECTORS = "、|，|,|和|与|及|以及|而且|并且|也|又|还|且|同时|甚至|更|加上"
# What a Chinese `lacks` entry (同理心, 自知之明) is denied with: before it, or after it (~ takes
# degree words: 同理心很差, 责任感极低).
ZH_LACK = ("毫无", "缺乏", "缺少", "欠缺", "没有", "没什么", "没啥", "没", "完全没有", "根本没有", "几乎没有",
           "一点也没有", "一点都没有", "没有任何", "毫无任何", "严重缺乏", "极度缺乏", "完全缺乏", "缺失",
           "不具备", "没有一点", "全无", "零")
# 连最起码的担当都没有: a lack said around the capacity.
ZH_LACK_AROUND = (("连", "都没有"), ("连", "也没有"), ("一点", "都没有"), ("一点", "也没有"),
                  ("连", "都不具备"), ("半点", "都没有"))
ZH_POOR = ("差", "低", "弱", "不足", "为零", "几乎为零", "欠缺", "缺失", "不够")
