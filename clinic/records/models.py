"""Running records: each exception-log entry and each scale placement is its own row."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import UTCDateTime, between, enum_text
from ..domain import SCALE, Source, TagCategory
from ..extensions import db
from ..timeutil import utcnow


class _RecordMixin:
    """Columns both records share: whose it is, where it came from, and who may see it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[Source] = mapped_column(enum_text(Source, name="source", length=10))
    # Shared with the other partner by the writer's choice; otherwise clinician-only.
    shared_with_partner: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by the portal form: a retried post with the same key is stored once. Unique per partner
    # (the table's constraint), so nobody else's key can collide with this partner's.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64))


class ExceptionEntry(_RecordMixin, db.Model):
    __tablename__ = "exception_entry"
    __table_args__ = (
        sa.UniqueConstraint("partner_id", "idempotency_key", name="uq_exception_entry_partner_key"),
        sa.Index("ix_exception_entry_partner_day", "partner_id", "occurred_on"),
        sa.Index("ix_exception_entry_couple_day", "couple_id", "occurred_on"),
        # The inbox's question: what came in from the portal for these couples (since the clinician
        # last looked)? Covering: answered from the index alone (migration 0024).
        sa.Index("ix_exception_entry_couple_source_created", "couple_id", "source", "created_at",
                 "partner_id", "id"),
    )

    couple_id: Mapped[int] = mapped_column(sa.ForeignKey("couple.id"))
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partner.id"))
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignment.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    occurred_on: Mapped[date]
    context: Mapped[str] = mapped_column(sa.Text)
    behaviour: Mapped[str | None] = mapped_column(sa.Text)
    thoughts: Mapped[str | None] = mapped_column(sa.Text)
    feelings: Mapped[str | None] = mapped_column(sa.Text)
    meaning: Mapped[str | None] = mapped_column(sa.Text)

    partner = relationship("Partner")
    tags = relationship("ExceptionTag", order_by="ExceptionTag.category, ExceptionTag.value")


class ScalePlacement(_RecordMixin, db.Model):
    __tablename__ = "scale_placement"
    __table_args__ = (
        between("value", SCALE, name="value"),
        sa.UniqueConstraint("partner_id", "idempotency_key", name="uq_scale_placement_partner_key"),
        sa.Index("ix_scale_placement_partner_day", "partner_id", "placed_on"),
        sa.Index("ix_scale_placement_couple_day", "couple_id", "placed_on"),
        sa.Index("ix_scale_placement_couple_source_created", "couple_id", "source", "created_at",
                 "partner_id", "id"),
    )

    couple_id: Mapped[int] = mapped_column(sa.ForeignKey("couple.id"))
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partner.id"))
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignment.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    placed_on: Mapped[date]
    value: Mapped[int]
    movement: Mapped[str | None] = mapped_column(sa.Text)
    keeps_from_lower: Mapped[str | None] = mapped_column(sa.Text)
    one_higher: Mapped[str | None] = mapped_column(sa.Text)

    partner = relationship("Partner")


TAG_CATEGORIES = {
    TagCategory.ACTIVITY: _l("Shared activity"),
    TagCategory.TIME: _l("Time of day"),
    TagCategory.PLACE: _l("Place"),
    TagCategory.INITIATOR: _l("Who started it"),
}


class ExceptionTag(db.Model):
    """A condition under which an exception came (added by the partner or the clinician)."""

    __tablename__ = "exception_tag"
    __table_args__ = (
        sa.UniqueConstraint("entry_id", "category", "value", name="uq_exception_tag_entry_value"),
        sa.Index("ix_exception_tag_couple_category", "couple_id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("exception_entry.id"), index=True)
    couple_id: Mapped[int] = mapped_column(sa.ForeignKey("couple.id"))
    category: Mapped[TagCategory] = mapped_column(
        enum_text(TagCategory, name="category", length=12)
    )
    value: Mapped[str] = mapped_column(sa.String(60))
    added_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    added_by_partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
