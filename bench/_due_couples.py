"""Rows for the reminder benchmarks (not a benchmark itself: `make bench` skips names starting with
"_"): `count` active couples of one clinician, each partner with a portal link and each couple with
one joint exercise due on `due_on`, inserted at once as the services would have written them."""

from datetime import date, datetime

import sqlalchemy as sa

from clinic.couples.models import Couple, Partner
from clinic.exercises import catalogue
from clinic.exercises.models import Assignment
from clinic.extensions import db
from clinic.portal.models import PortalLink
from clinic.portal.services import hash_token


def insert_due_couples(practice_id: int, clinician_id: int, count: int, created: datetime,
                       due_on: date) -> None:
    exercise = catalogue.get("listening-practice")
    rows = {Couple: [], Partner: [], PortalLink: [], Assignment: []}
    for cid in range(1, count + 1):
        rows[Couple].append({
            "id": cid, "practice_id": practice_id, "primary_clinician_id": clinician_id,
            "case_label": f"Case {cid}", "pseudonym": f"C-{cid:06d}", "status": "active",
            "current_stage": 1, "created_at": created, "last_activity_at": created,
        })
        for n, position in enumerate("AB"):
            pid = 2 * cid - 1 + n
            rows[Partner].append({"id": pid, "couple_id": cid, "position": position,
                                  "name": f"Partner {pid}", "email": f"p{pid}@bench.example"})
            rows[PortalLink].append({"partner_id": pid, "token_hash": hash_token(f"t{pid}"),
                                     "created_by_id": clinician_id, "created_at": created})
        rows[Assignment].append({
            "couple_id": cid, "joint": True, "exercise_key": exercise.key,
            "exercise_version": exercise.version, "due_on": due_on, "status": "assigned",
            "created_by_id": clinician_id, "created_at": created, "updated_at": created,
        })
    for model, values in rows.items():
        db.session.execute(sa.insert(model), values)
    db.session.commit()
