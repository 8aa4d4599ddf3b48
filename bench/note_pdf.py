"""Time the signed-note PDF through the service against a bare WeasyPrint render of the same HTML.

Builds a realistic signed note (two partners, eight weeks of scale placements, a dozen exception
entries in English and Chinese, every section written, two addenda) in a temporary SQLite
database made by the real migrations, then reports the median of 10 runs after 2 warm-ups of:
  service  clinic.notes.services.note_pdf: scoped read, plain data, chart, verification, audit
           event and commit, template, WeasyPrint;
  bare     weasyprint.HTML(string=html).write_pdf() with the same fetcher and the same HTML;
and, separately, the service with WeasyPrint stubbed out (its own share of the time).

Run: .venv/bin/python bench/note_pdf.py [--save note.pdf]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUNS = 10
WARM_UP = 2
START = date(2026, 1, 5)
VALUES_A = (3, 4, 4, 5, 6, 5, 6, 7)
VALUES_B = (4, 4, 5, 5, 5, 6, 6, 6)
# (partner, what was different, what I did, what it tells us)
EXCEPTIONS = (
    ("A", "我们一起做饭的时候沉默没有出现。", "我切菜他洗碗", "我们还是一个团队"),
    ("B", "We walked to the market and talked the whole way.", "I suggested the walk",
     "Moving helps us talk"),
    ("A", "他下班后先问我今天过得怎么样。", "我告诉他真实的感受", "被问到的时候我愿意说"),
    ("B", "We laughed at dinner, no phones on the table.", "Phones in the drawer",
     "We still make each other laugh"),
    ("A", "The Silence showed up on Tuesday but we named it and it left.",
     "I said 'the Silence is here'", "Naming it takes its power"),
    ("B", "Sunday coffee with plans for the garden.", "I made the coffee",
     "Plans give us a shared future"),
    ("A", "周末我们一起给妹妹打电话大家都很开心。", "我提议一起打", "家人是我们的资源"),
    ("B", "I noticed Jing was tired and offered to cook.", "Offered before she asked", "I can notice"),
    ("A", "We disagreed about money without shouting.", "I waited until we were calm",
     "We can disagree safely"),
    ("B", "A short hug in the morning before work.", "Hugged first", "Small things count"),
    ("A", "我们一起散步聊了未来的打算。", "走路的时候说话", "我们有共同的方向"),
    ("B", "We finished the listening exercise without interrupting.", "Kept to five minutes",
     "Being heard feels good"),
)
PARAGRAPH = (
    "In the session they described how the Silence tends to arrive in the evenings, after long "
    "working days, and how it leaves each of them alone with their thoughts. 陈静 said it feels "
    "like a wall; Mark said it feels like fog. Both agreed that naming it has already helped. "
)
SECTIONS = {
    "problem_name": "the Silence",
    "problem_effects": PARAGRAPH * 3,
    "difficulties": "Money worries and Mark's night shifts still press on both of them. " * 4,
    "unique_outcomes": "Three times this fortnight they talked through the Silence instead of "
                       "around it; each time a walk or shared cooking came first. " * 3,
    "resources": "Long walks; Mark's humour; Jing's sister; their shared love of cooking. " * 3,
    "preferred_future": "Sunday mornings with coffee and plans for the garden; evenings where "
                        "either of them can say 'I'm tired' and be met with care. " * 3,
    "scale_notes": "陈静 moved from 6 to 7 after the walk on Thursday; Mark stayed at 6 and said "
                   "the night shifts keep him from going higher. " * 2,
    "working": "Walking while talking; phones in the drawer at dinner. " * 3,
    "try_differently": "Evening talks after 10 pm did not fit; they will try mornings. " * 3,
    "own_words": "陈静: “我们找到了回到彼此身边的路。” Mark: “It felt like us again.” " * 3,
    "next_steps": "One morning walk together; keep the exception log; try the three-day "
                  "experiment with cooking together. " * 2,
}


def build(app):
    from clinic.auth.services import NewUser, create_user
    from clinic.couples.services import CoupleInput, PartnerInput, create_couple
    from clinic.exercises.services import AssignmentRequest, assign_exercises
    from clinic.notes import services
    from clinic.practice.services import create_practice
    from clinic.records.services import add_in_session

    practice = create_practice("Harbour Lane Practice")
    password = "bench pass phrase"  # noqa: S105 - a throwaway database
    owner = create_user(practice.id, NewUser("owner@example.org", "Olive Owner", "owner", password))
    clinician = create_user(
        practice.id, NewUser("ruth@example.org", "Dr Ruth Amsel", "clinician", password)
    )
    couple = create_couple(clinician, CoupleInput(
        case_label="Chen & Lee", partner_a=PartnerInput("陈静", preferred_name="Jing"),
        partner_b=PartnerInput("Mark Lee"),
    ))
    partners = {p.position: p for p in couple.partners}
    for week, (a, b) in enumerate(zip(VALUES_A, VALUES_B, strict=True)):
        day = (START + timedelta(weeks=week)).isoformat()
        for position, value in (("A", a), ("B", b)):
            add_in_session(clinician, couple.id, partners[position].id, "scale",
                           {"date": day, "value": str(value)}, shared=False)
    cited = []
    for i, (who, context, behaviour, meaning) in enumerate(EXCEPTIONS):
        entry = add_in_session(clinician, couple.id, partners[who].id, "exception", {
            "date": (START + timedelta(days=3 * i + 1)).isoformat(), "context": context,
            "behaviour": behaviour, "meaning": meaning,
        }, shared=False)
        cited.append(entry.id)
    assign_exercises(clinician, couple.id, [
        AssignmentRequest("exception-log", "each"), AssignmentRequest("listening-practice", "joint"),
    ])
    note = services.create_note(clinician, couple.id, services.NoteInput(
        session_date=START + timedelta(weeks=8), duration_minutes=60, attendees="both",
        sections=SECTIONS, cited_exception_ids=cited[-6:], scale_today={"A": 7, "B": 6},
    ))
    services.sign_note(clinician, note.id)
    services.add_addendum(clinician, note.id, "Correction: the walk was on Friday, not Thursday.")
    services.add_addendum(owner, note.id, "Reviewed in supervision; no further action.")
    return clinician, note.id


def medians_ms(*actions) -> list[float]:
    """Median wall time of each action; runs are interleaved so drift hits both alike."""
    for _ in range(WARM_UP):
        for action in actions:
            action()
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(RUNS):
        for action, bucket in zip(actions, times, strict=True):
            start = time.perf_counter()
            action()
            bucket.append((time.perf_counter() - start) * 1000)
    return [statistics.median(bucket) for bucket in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="also write the note's PDF here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CLINIC_INSTANCE_PATH"] = tmp
        from flask import render_template
        from flask_migrate import upgrade
        from weasyprint import HTML

        from clinic import create_app
        from clinic.extensions import db
        from clinic.notes import services
        from clinic.notes.printing import note_print
        from clinic.pdf.fetcher import StaticOnlyFetcher

        app = create_app({
            "TESTING": True, "SECRET_KEY": "bench-only", "SERVER_NAME": None,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
        })
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            clinician, note_id = build(app)

            pdf = services.note_pdf(clinician, note_id)
            note = services.get_note(clinician, note_id)
            data = note_print(note, services.verification(note), services.cited_entries(note),
                              services.session_days(note.couple_id), exported_by=clinician.name)
            html = render_template("pdf/note.html", note=data)
            db.session.commit()
            static = Path(app.static_folder)

            def bare() -> bytes:
                fetcher = StaticOnlyFetcher(static)
                return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()

            service_ms, bare_ms = medians_ms(lambda: services.note_pdf(clinician, note_id), bare)
            # The service's own work, WeasyPrint left out: scoped read, plain data, chart,
            # verification, audit event and commit, template. Measured on its own because on a
            # busy machine the render's noise is larger than this whole share.
            from clinic.pdf import render

            real, render.html_to_pdf = render.html_to_pdf, lambda html, static_dir: b""
            try:
                [own_ms] = medians_ms(lambda: services.note_pdf(clinician, note_id))
            finally:
                render.html_to_pdf = real
            if args.save:
                args.save.write_bytes(pdf)
            db.session.remove()
            db.engine.dispose()

    import pypdf

    pages = len(pypdf.PdfReader(__import__("io").BytesIO(pdf)).pages)
    print(f"note PDF: {len(pdf):,} bytes, {pages} pages, HTML {len(html):,} characters")
    print(f"service (note_pdf)        median of {RUNS}: {service_ms:8.1f} ms")
    print(f"bare WeasyPrint render    median of {RUNS}: {bare_ms:8.1f} ms")
    print(f"ratio service / bare: {service_ms / bare_ms:.2f}")
    print(f"service work without WeasyPrint (data, chart, hashes, audit commit, template): "
          f"{own_ms:.1f} ms")


if __name__ == "__main__":
    main()
