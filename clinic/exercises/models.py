"""Assignment (an exercise given to a partner or the couple) and its Submission."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import UTCDateTime, enum_text
from ..domain import AssignmentStatus, SubmissionState
from ..extensions import db
from ..timeutil import utcnow

# How each status reads on a page, in the reader's language.
ASSIGNMENT_STATUS_LABELS = {
    AssignmentStatus.ASSIGNED: _l("Assigned"), AssignmentStatus.STARTED: _l("Started"),
    AssignmentStatus.SUBMITTED: _l("Submitted"), AssignmentStatus.REVIEWED: _l("Reviewed"),
    AssignmentStatus.WITHDRAWN: _l("Withdrawn"),
}


class Assignment(db.Model):
    __tablename__ = "assignment"
    __table_args__ = (
        # Either one partner's, or the couple's jointly: never both, never neither.
        sa.CheckConstraint(
            "(joint AND partner_id IS NULL) OR (NOT joint AND partner_id IS NOT NULL)",
            name="assignee",
        ),
        sa.Index("ix_assignment_couple_status", "couple_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(sa.ForeignKey("couple.id"))
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner.id"), index=True)
    joint: Mapped[bool] = mapped_column(default=False)
    exercise_key: Mapped[str] = mapped_column(sa.String(60))
    exercise_version: Mapped[int]
    due_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[AssignmentStatus] = mapped_column(
        enum_text(AssignmentStatus, name="status", length=10), default=AssignmentStatus.ASSIGNED
    )
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    couple = relationship("Couple")
    partner = relationship("Partner")
    created_by = relationship("User")
    submission = relationship("Submission", back_populates="assignment", uselist=False)


class Submission(db.Model):
    __tablename__ = "submission"
    __table_args__ = (
        sa.Index("ix_submission_couple_submitted", "couple_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), unique=True)
    couple_id: Mapped[int] = mapped_column(sa.ForeignKey("couple.id"))
    # The partner who last wrote in it (for a joint exercise, either one).
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partner.id"))
    exercise_key: Mapped[str] = mapped_column(sa.String(60))
    exercise_version: Mapped[int]
    # The prompts exactly as the partner saw them, so later catalogue edits never garble this.
    prompts: Mapped[dict] = mapped_column(sa.JSON)
    answers: Mapped[dict] = mapped_column(sa.JSON)
    state: Mapped[SubmissionState] = mapped_column(
        enum_text(SubmissionState, name="state", length=10), default=SubmissionState.DRAFT
    )
    # The partner's choice: False keeps it between them and the clinician.
    shared_with_partner: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reply: Mapped[str | None] = mapped_column(sa.Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assignment = relationship("Assignment", back_populates="submission")
    partner = relationship("Partner")
    reviewed_by = relationship("User")
