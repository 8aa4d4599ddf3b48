"""Danger words: the lexicon's hits and misses on the project's labelled sentences, its plain
negation, and the prompt it gives the clinician (first in Needs attention, never to a partner)."""

import csv
import html
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from clinic.exercises.services import AssignmentRequest, assign_exercises, save_answers
from clinic.extensions import db
from clinic.safety import lexicon
from clinic.safety.models import DangerSignal
from clinic.timeutil import utcnow

HERE = Path(__file__).parent


def labelled(name: str) -> list[tuple[bool, str, str]]:
    lines = [line for line in (HERE / name).read_text("utf-8").splitlines() if not line.startswith("#")]
    return [(label == "1", lang, text) for label, lang, text in list(csv.reader(lines, delimiter="\t"))[1:]]


def measure(name: str, lang: str) -> tuple[float, float]:
    rows = [(want, bool(lexicon.scan(text))) for want, language, text in labelled(name) if language == lang]
    positives = [got for want, got in rows if want]
    negatives = [got for want, got in rows if not want]
    return sum(positives) / len(positives), sum(negatives) / len(negatives)


# (set, language): the least recall and the most false alarms accepted. Only the last set was
# written after the lexicon as it ships and never used to change it: its figures are the honest
# ones (each file's header says how it was used).
FLOORS = {
    ("danger_labelled.tsv", "en"): (0.95, 0.05), ("danger_labelled.tsv", "zh"): (0.95, 0.05),
    ("danger_heldout.tsv", "en"): (0.9, 0.1), ("danger_heldout.tsv", "zh"): (0.9, 0.1),
    ("danger_heldout2.tsv", "en"): (0.85, 0.15), ("danger_heldout2.tsv", "zh"): (0.95, 0.05),
    ("danger_heldout3.tsv", "en"): (0.4, 0.1), ("danger_heldout3.tsv", "zh"): (0.7, 0.1),
}


@pytest.mark.parametrize(("name", "lang"), sorted(FLOORS))
def test_recall_and_false_alarms_on_the_labelled_sets(name, lang):
    recall, false_alarms = measure(name, lang)
    least, most = FLOORS[(name, lang)]
    assert recall >= least and false_alarms <= most, (name, lang, recall, false_alarms)


@pytest.mark.parametrize("text", [
    "He hit me again.", "I'm afraid of him.", "She threatened to take the kids.",
    "他又打我了。", "我害怕他。", "他威胁我。", "He said he would hurt me if I told anyone.",
])
def test_what_it_finds(text):
    assert lexicon.scan(text)


@pytest.mark.parametrize("text", [
    "He has never hit me.", "I'm not afraid of him.", "We hit the gym together.",
    "他从来没打过我。", "我不怕他。", "他给我打了个电话。", "我们打算周末去爬山。", "我们一起打扫了房间。",
    "", "   ", "We cooked together and nobody sulked.",
])
def test_what_it_leaves_alone(text):
    assert lexicon.scan(text) == []


def test_others_is_not_a_negation():
    # 别 negates, 别人 ("other people") does not.
    assert lexicon.scan("他说如果我告诉别人就弄死我。")


def test_a_malformed_rule_is_refused():
    with pytest.raises(lexicon.LexiconError):
        lexicon._rules({"rules": [{"category": "weather", "words": ["rain"]}]}, english=True)
    with pytest.raises(lexicon.LexiconError):
        lexicon._rules({"rules": [{"category": "fear"}]}, english=False)


@given(st.text(max_size=400))
def test_any_text_is_read_without_error(text):
    for hit in lexicon.scan(text):
        assert hit.category in lexicon.CATEGORIES and hit.words


# --- the prompt -----------------------------------------------------------------------------

def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def family(make_practice, make_user, make_couple):
    practice = make_practice()
    clinician = make_user(practice)
    quiet = make_couple(clinician, label="Quiet Couple", a="Ola", b="Kari")
    couple = make_couple(clinician, label="Chen & Wang", a="Chen Jing", b="Wang Hao")
    a, b = couple.partners
    return SimpleNamespace(clinician=clinician, couple=couple, quiet=quiet, a=a, b=b)


def test_words_in_a_private_entry_put_the_couple_first_for_the_clinician(
    family, log_exception, signed_in, portal_client
):
    # The quiet couple has been silent for a month: it needs attention too, but comes second.
    family.quiet.created_at = family.quiet.last_activity_at = utcnow() - timedelta(days=30)
    db.session.commit()
    entry = log_exception(family.a, date(2026, 11, 25),
                          "We talked. Later he hit me again and I am scared of him.")
    [signal] = db.session.scalars(sa.select(DangerSignal)).all()
    assert (signal.source, signal.source_id, signal.field) == ("exception", entry.id, "context")
    assert "hit me" in signal.words and "We talked" not in str(signal.words)

    clinic = signed_in(family.clinician)
    caseload = page(clinic.get("/couples/"))
    attention = caseload.split('id="attention-h"')[1].split("</section>")[0]
    assert "Chen & Wang" in attention
    assert attention.index("Chen & Wang") < attention.index("Quiet Couple")
    assert "Words that may signal danger" in attention and "“hit me”" in attention
    assert f"entry-{entry.id}" in attention
    assert "never a finding" in attention

    couple_page = page(clinic.get(f"/couples/{family.couple.id}"))
    assert 'id="danger-signals"' in couple_page
    # Neither partner's portal says anything of it.
    for partner in (family.a, family.b):
        for path in ("/portal/", "/portal/entries"):
            assert "signal danger" not in page(portal_client(partner).get(path))

    clinic.post(f"/safety/couples/{family.couple.id}/signals/seen")
    assert "Words that may signal danger" not in page(clinic.get("/couples/"))
    assert db.session.scalar(sa.select(DangerSignal.seen_by_id)) == family.clinician.id


def test_a_draft_is_not_read_until_it_is_sent(family):
    [hope] = assign_exercises(family.clinician, family.couple.id, [AssignmentRequest("hope-question", "B")])
    answers = {"a_little_better": "她威胁要把孩子带走", "first_noticed": ""}
    save_answers(family.b, hope.id, answers, submit=False, shared=False)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DangerSignal)) == 0
    sub = save_answers(family.b, hope.id, answers, submit=True, shared=False)
    signal = db.session.scalars(sa.select(DangerSignal)).one()
    assert (signal.source, signal.source_id, signal.partner_id) == ("submission", sub.id, family.b.id)
    assert signal.words == ["威胁"]
