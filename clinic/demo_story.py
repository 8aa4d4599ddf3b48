"""What happened to the three demo couples, week by week: data only, told in our own words.

Day numbers count from each couple's first session. Scale values follow the arcs the seed
articles describe: Chen Jing from about 3 to 6-7, Zhao Lei and Zhou Ting from 1-2 to 5, Liu Jia
slowly finding a steadier sense of safety.
"""

# couple label -> partner position -> [(day, value, what moved it)]
PLACEMENTS = {
    "Chen & Wang": {
        "A": [(1, 3, "It feels like walking on thin ice."), (8, 3, ""), (15, 4, "I noticed I was surviving, and that counts."),
              (22, 5, "The weekend cooking helped."), (29, 6, "Our Sunday check-in."), (36, 7, "I can see the signs earlier now.")],
        "B": [(1, 4, ""), (8, 4, ""), (15, 5, "Jing told me what a good morning looks like."), (22, 5, ""),
              (29, 6, "Shopping together without the phone."), (36, 7, "")],
    },
    # Zhao Lei and Zhou Ting use the portal in Chinese: what they write is in Chinese.
    # Slowly, as in the case study: from 1-2 to 5 over six weeks, not in three.
    "Zhao & Zhou": {
        "A": [(1, 2, "我们只在微信上说账单的事。"), (8, 2, ""), (15, 3, "那杯茶。"), (22, 3, ""),
              (29, 4, "她在厨房里对我笑了。"), (36, 4, ""), (43, 5, "周日我们一起去散步了。")],
        "B": [(1, 1, "家里很冷清，我很孤单。"), (8, 2, "写日记让我撑了下来。"), (15, 2, ""),
              (22, 3, "冰箱上的一张小纸条。"), (29, 4, ""), (36, 4, "他注意到我了。"),
              (43, 5, "我们又能在同一张桌子上吃饭了。")],
    },
    "Liu & Sun": {
        "A": [(1, 3, "When he doesn't answer, the Panic takes over."), (8, 4, "That small voice: he's just busy."),
              (15, 5, ""), (22, 6, "The morning message works."), (29, 4, "A week of late replies; the Panic came back.")],
        "B": [(1, 5, ""), (8, 5, ""), (15, 6, "I like sending the photo at lunch."), (22, 6, ""), (29, 6, "")],
    },
}

# (couple, position, day, shared, context, behaviour, thoughts, feelings, meaning, tags)
EXCEPTIONS = [
    ("Chen & Wang", "A", 10, False,
     "Saturday grocery shopping together; I did not reach for my phone once.",
     "I held the list and asked him what he wanted for dinner.",
     "He is right here with me.", "Calm, almost light.",
     "Doing ordinary things side by side quiets the fear.",
     [("activity", "shopping"), ("time", "weekend"), ("initiator", "both of us")]),
    ("Chen & Wang", "A", 17, True,
     "We cooked noodles on Sunday and laughed about the burnt garlic.",
     "I stayed in the kitchen instead of going to check my messages.",
     "I don't need him to prove anything right now.", "Warm.",
     "Shared activities make a different space between us.",
     [("activity", "cooking together"), ("time", "weekend"), ("place", "in the kitchen")]),
    ("Chen & Wang", "B", 18, True,
     "Jing made coffee and sat by the window before looking at her phone.",
     "I joined her and we talked about the weekend.", "", "Relieved.",
     "When she starts the day her own way, I can come closer without her pulling away.",
     [("time", "morning"), ("place", "at home")]),
    ("Chen & Wang", "A", 30, False,
     "Our 15-minute Sunday check-in: I said I felt uneasy and we did not fight.",
     "I named the feeling instead of asking for proof.", "I can say it out loud.", "Steady.",
     "The check-in is something we can lean on.",
     [("activity", "weekly check-in"), ("time", "evening"), ("initiator", "me")]),
    ("Zhao & Zhou", "A", 12, False,
     "上班前，我把她最喜欢的茉莉花茶放在了她桌上。",
     "我泡好茶放下就走了，什么也没说。", "也许这样做是可以的。", "先是紧张，后来有了点希望。",
     "一个小小的善意举动，就能让那堵墙裂开一道缝。",
     [("activity", "一个小小的善意举动"), ("time", "早上"), ("initiator", "我")]),
    ("Zhao & Zhou", "B", 13, True,
     "今天早上我桌上有一杯茉莉花茶。",
     "我给他发了一句“谢谢”，而不是什么都不说。", "他注意到我了。", "没那么孤单了。",
     "不用长谈的善意，是我们回到彼此身边的一条路。",
     [("activity", "一个小小的善意举动"), ("time", "早上"), ("initiator", "我的伴侣")]),
    ("Zhao & Zhou", "B", 20, False,
     "我在冰箱上留了张纸条：“饭在锅里”。",
     "我是手写的，而不是用手机发。", "", "有点勇敢。",
     "即使很难，我依然有向对方伸出手的能力。",
     [("activity", "一个小小的善意举动"), ("place", "在家"), ("initiator", "我")]),
    ("Liu & Sun", "A", 9, False,
     "He told me in the morning he'd be in meetings till three. I didn't panic at noon.",
     "I reminded myself of the plan he had shared.", "He's just busy, not gone.", "Safe enough.",
     "Knowing plans in advance keeps the Panic small.",
     [("time", "morning"), ("initiator", "my partner")]),
    ("Liu & Sun", "A", 16, True,
     "He sent a photo of his lunch. I smiled and went back to work.",
     "I answered with a heart and didn't wait for more.", "", "Connected.",
     "A tiny sign while we are apart is enough.",
     [("activity", "a message while apart"), ("place", "apart (messages)"), ("initiator", "my partner")]),
    ("Liu & Sun", "B", 23, True,
     "Sent 'thinking of you' before leaving for the airport; Jia wished me a good trip.",
     "I sent the message before I left, like we agreed.", "This is easy to do.", "Good.",
     "Our security ritual works for both of us.",
     [("activity", "security ritual"), ("time", "morning"), ("initiator", "me")]),
]

# (couple, exercise key, target, day assigned, due in days, note, submissions)
# submissions: {position: (day submitted or None for a draft, shared, answers)}
ASSIGNMENTS = [
    ("Chen & Wang", "relationship-narrative", "each", 1, 6, "Tell it as a story, not a diagnosis.", {
        "A": (4, False, {"matters": "Feeling that we are on the same side.",
                         "struggles": "When he needs space I hold on harder, and then I push him away.",
                         "longings": "Mornings that start calmly."}),
        "B": (5, True, {"matters": "Jing, and a home that feels peaceful.",
                        "struggles": "I don't know what to do when she is scared.",
                        "longings": "To be close without it turning into a test."}),
    }),
    ("Chen & Wang", "miracle-question", "A", 15, 5, "Take your time with the small details.", {
        "A": (18, False, {"first_sign": "I won't check my phone first thing in the morning.",
                          "i_do": "Make myself a coffee and sit by the window.",
                          "partner_does": "He says good morning and sits with me.",
                          "together": "We talk about small plans for the day.",
                          "miracle_day": "A slow morning, a walk to the market, cooking together in the evening."}),
    }),
    ("Chen & Wang", "prevention-plan", "each", 36, 6, "", {}),
    ("Zhao & Zhou", "coping-list", "each", 8, 5, "什么都算数，包括那些让你有点内疚的方式。", {
        "A": (11, False, {"ways": ["专心工作", "傍晚去跑步", "给我哥打电话"]}),
        "B": (12, False, {"ways": ["写日记", "和朋友聊天", "泡个长长的热水澡", "走路去公园"]}),
    }),
    # Together, as in the case study: reading their history for times the Silence thawed.
    ("Zhao & Zhou", "pattern-recognition", "joint", 15, 6, "一起翻看你们的例外记录，不用急着谈问题。", {
        "A": (20, False, {"conditions": "冷战通常在我们当中有一个人做了一个小小的善意举动之后开始缓和。",
                          "shared_activity": "一起吃早饭的时候。",
                          "clue": "每天有意做一个小小的善意举动：一个关心的眼神、一杯茶、一条简单的消息。"}),
    }),
    ("Zhao & Zhou", "micro-experiment", "each", 22, 7, "每天一个小小的善意举动。", {}),
    ("Liu & Sun", "scale-placement", "A", 8, 7, "Where are you today, not where you 'should' be.", {}),
    ("Liu & Sun", "action-menu", "each", 29, 6, "", {
        "A": (None, False, {"actions": ["Send a morning message", "Share the day's plan",
                                      "Ask for a photo when apart"]}),
    }),
]

# (couple, session day, signed, scale today {position: value}, cite exceptions on or before
#  this day, sections). Notes are written in the collaborative stance: the problem has a name
#  the couple chose, the difficulty is acknowledged, exceptions are thickened, and the partners'
#  own words are kept.
NOTES = [
    ("Chen & Wang", 15, True, {"A": 4, "B": 5}, {
        "problem_name": "the Thin Ice",
        "problem_effects": "The Thin Ice shows up when Hao asks for space: it tells Jing that every step "
                           "could be the last, and pulls her towards her phone. Hao says it makes him "
                           "careful and quiet, which the Thin Ice then reads as distance.",
        "difficulties": "Two hard evenings this week; Jing described feeling exhausted by checking.",
        "unique_outcomes": "The Saturday shopping trip: Jing did not reach for her phone once. We slowed "
                           "down on what she did instead (held the list, asked about dinner).",
        "resources": "Jing named that she has been getting through difficult days: “that's a form of "
                     "strength”. Hao's steadiness on weekends.",
        "preferred_future": "The miracle morning: coffee by the window before the phone; talking about "
                            "small plans.",
        "working": "Ordinary shared activities — shopping, cooking.",
        "try_differently": "Less reassurance-by-text on weekday afternoons.",
        "own_words": "“I am surviving, and that counts.” (Jing)",
        "next_steps": "Cook together once this weekend and notice what is different. Miracle question "
                      "for Jing.",
    }),
    ("Chen & Wang", 36, True, {"A": 7, "B": 7}, {
        "problem_name": "the Thin Ice",
        "problem_effects": "The Thin Ice still visits after long days apart, but Jing now spots it early.",
        "difficulties": "One wobble midweek when Hao worked late; both said it was hard.",
        "unique_outcomes": "The Sunday check-in: Jing named the uneasy feeling and they did not fight. "
                           "Cooking noodles together and laughing about burnt garlic.",
        "resources": "The 15-minute weekly check-in they designed themselves.",
        "preferred_future": "Keep the slow mornings; a trip to the coast in spring.",
        "working": "The weekly check-in; naming the feeling instead of asking for proof.",
        "try_differently": "Agree a short message for late workdays.",
        "own_words": "“I can say it out loud now.” (Jing) · “She comes closer when she starts the day her way.” (Hao)",
        "next_steps": "Prevention plan for both: early signs, what helps, when to call.",
    }),
    ("Zhao & Zhou", 8, True, {"A": 2, "B": 2}, {
        "problem_name": "the Silence",
        "problem_effects": "The Silence has lived in the flat for over two months; it moves daily life "
                           "into text messages and leaves Ting lonely and Lei guilty.",
        "difficulties": "Both said sitting in the same room is hard right now; we did not push for talk.",
        "unique_outcomes": "Lei noticed that his focus at work kept him going; Ting's journal and friends "
                           "kept her going.",
        "resources": "Lei: focus, running. Ting: journaling, talking with friends — her ability to love.",
        "preferred_future": "Being able to eat dinner at the same table without the Silence between them.",
        "working": "Coping on their own while the Silence is loud.",
        "try_differently": "Look back for times the Silence thawed, even briefly.",
        "own_words": "“It is very lonely at home.” (Ting)",
        "next_steps": "Coping list for each; notice any moment the Silence is smaller.",
    }),
    ("Zhao & Zhou", 22, True, {"A": 3, "B": 3}, {
        "problem_name": "the Silence",
        "problem_effects": "The Silence is thinner: small gestures open cracks in it.",
        "difficulties": "Not ready for a long talk yet; both agreed that is fine.",
        "unique_outcomes": "Jasmine tea on Ting's desk; her “thank you” text. A handwritten note on the "
                           "fridge.",
        "resources": "Kindness without a big conversation — both can do it.",
        "preferred_future": "A walk together on a Sunday.",
        "working": "One small kind gesture a day.",
        "try_differently": "Notice and say when a gesture lands.",
        "own_words": "“He noticed me.” (Ting)",
        "next_steps": "Micro experiment: a small kind gesture each day for a week; record it.",
    }),
    ("Liu & Sun", 15, True, {"A": 5, "B": 6}, {
        "problem_name": "the Panic",
        "problem_effects": "The Panic arrives when Wei doesn't answer quickly and tells Jia he doesn't "
                           "care; it makes Wei feel watched.",
        "difficulties": "Jia described a bad afternoon; the Panic was loud.",
        "unique_outcomes": "Wei shared his meeting plan in the morning and the Panic stayed small at noon. "
                           "A photo of lunch was enough.",
        "resources": "Jia's small voice: “he's just busy, not gone”. Wei's willingness to send signs.",
        "preferred_future": "Being apart for a day without checking the phone every few minutes.",
        "working": "Knowing plans ahead; tiny messages while apart.",
        "try_differently": "Jia to ask herself where she is on the security scale today.",
        "own_words": "“This frees me from the label ‘I have a problem’.” (Jia)",
        "next_steps": "A security ritual: a short message before each separation.",
    }),
    ("Liu & Sun", 29, False, {"A": 4, "B": 6}, {
        "problem_name": "the Panic",
        "problem_effects": "A week of late replies at Wei's work and the Panic came back.",
        "difficulties": "Jia fell from 6 to 4; we took time with how hard the week was.",
        "unique_outcomes": "The airport morning: the security ritual worked for both of them.",
        "working": "The ritual on normal days.",
        "try_differently": "A plan for weeks when Wei cannot reply.",
        "next_steps": "Action menu for both.",
    }),
]
