"""What safety work keeps: the clinician-only flag, the practice's safety settings, each partner's
private check-in, the danger words found in partners' text, and shares released under a flag."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import UTCDateTime, enum_text
from ..domain import CheckinState
from ..extensions import db
from ..timeutil import utcnow

SHARING_POLICIES = ("confirm", "off")
SIGNAL_SOURCES = ("exception", "scale", "submission", "checkin")
RELEASE_KINDS = ("exception", "scale", "submission")
REASON_MAX = 2000  # characters of a reason to set or clear a flag


class SafetyFlag(db.Model):
    """A clinician's flag on a couple (and the partner it concerns): set with a reason, cleared
    with one; rows are never deleted, so the history stays. Only one is open per couple."""

    __tablename__ = "safety_flag"
    __table_args__ = (
        sa.Index("ix_safety_flag_couple_cleared", "couple_id", "cleared_at"),
        sa.CheckConstraint(
            "(cleared_at IS NULL AND cleared_by_id IS NULL AND clear_reason IS NULL)"
            " OR (cleared_at IS NOT NULL AND cleared_by_id IS NOT NULL AND clear_reason IS NOT NULL)",
            name="cleared",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(sa.ForeignKey("couple.id"))
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    set_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cleared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clear_reason: Mapped[str | None] = mapped_column(sa.Text)

    partner = relationship("Partner")
    set_by = relationship("User", foreign_keys=[set_by_id])
    cleared_by = relationship("User", foreign_keys=[cleared_by_id])


class SafetySettings(db.Model):
    """A practice's safety settings; a practice without a row uses the defaults."""

    __tablename__ = "safety_settings"
    __table_args__ = (sa.CheckConstraint("sharing_policy in ('confirm', 'off')", name="sharing_policy"),)

    practice_id: Mapped[int] = mapped_column(sa.ForeignKey("practice.id"), primary_key=True)
    # Under a flag: "confirm" holds joint work and sharing for the clinician's confirmation;
    # "off" refuses joint assignments and lets nothing one partner shares reach the other.
    sharing_policy: Mapped[str] = mapped_column(sa.String(10), default="confirm")
    # The check-in's questions, [{"key", "en", "zh_Hans"}]; None: the shipped default.
    questions: Mapped[list | None] = mapped_column(sa.JSON)
    # Support contacts shown in the check-in and the portal footer: [{"name", "phone", "note"}].
    contacts: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Offer the check-in to each partner on their first visit to the portal.
    offer_at_first_visit: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))


class SafetyCheckin(db.Model):
    """One partner's private check-in: the questions as they saw them, their answers. Read by
    the clinician alone; never reachable through the other partner's link."""

    __tablename__ = "safety_checkin"
    __table_args__ = (
        sa.Index("ix_safety_checkin_partner_state", "partner_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(sa.ForeignKey("couple.id"), index=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partner.id"))
    # Who offered it (None: offered by the practice's setting at the partner's first visit).
    offered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    questions: Mapped[list] = mapped_column(sa.JSON)
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    state: Mapped[CheckinState] = mapped_column(
        enum_text(CheckinState, name="state", length=10), default=CheckinState.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partner = relationship("Partner")


class DangerSignal(db.Model):
    """Words that may signal danger, found in what a partner wrote: where they are and which
    words (never the surrounding text). A prompt for the clinician to look, never a finding."""

    __tablename__ = "danger_signal"
    __table_args__ = (
        sa.CheckConstraint(
            "source in ('exception', 'scale', 'submission', 'checkin')", name="source"
        ),
        sa.Index("ix_danger_signal_couple_seen", "couple_id", "seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(sa.ForeignKey("couple.id"))
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partner.id"))
    source: Mapped[str] = mapped_column(sa.String(12))
    source_id: Mapped[int]
    field: Mapped[str] = mapped_column(sa.String(60))
    words: Mapped[list] = mapped_column(sa.JSON)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    partner = relationship("Partner")


class ShareRelease(db.Model):
    """The clinician let one shared item reach the other partner while the couple is flagged."""

    __tablename__ = "share_release"
    __table_args__ = (
        sa.CheckConstraint("kind in ('exception', 'scale', 'submission')", name="kind"),
        sa.UniqueConstraint("kind", "item_id", name="uq_share_release_kind_item"),
        sa.Index("ix_share_release_couple", "couple_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(sa.ForeignKey("couple.id"))
    kind: Mapped[str] = mapped_column(sa.String(12))
    item_id: Mapped[int]
    released_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
