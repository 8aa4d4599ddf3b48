"""The words of the domain, each defined once: roles, couple statuses, the six stages, where a
record came from, the states of assignments, submissions, notes, mail and account links, and the
1-10 scale. Models store them (clinic.columns), forms offer them, services and templates compare
against them; nothing else spells their values."""

import enum


class Role(enum.StrEnum):
    """What a staff member may do in their practice."""

    OWNER = "owner"  # runs the practice: members, settings, every couple
    CLINICIAN = "clinician"  # their own caseload
    SUPERVISOR = "supervisor"  # de-identified reports of the clinicians they supervise


# Roles that keep a caseload (and so read charts and notes).
CASELOAD_ROLES = (Role.OWNER, Role.CLINICIAN)
# Roles that may read practice reports.
REPORT_ROLES = (Role.OWNER, Role.SUPERVISOR)


class CoupleStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"


class Stage(enum.IntEnum):
    """The six stages of the framework, in order (their titles live in the catalogue)."""

    PARTNERSHIP = 1
    RESOURCES = 2
    VISION = 3
    EXCEPTIONS = 4
    ACTION = 5
    CONSOLIDATION = 6


class Position(enum.StrEnum):
    """Which of the two partners."""

    A = "A"
    B = "B"


class Attendees(enum.StrEnum):
    """Who came to a session."""

    BOTH = "both"
    A = "A"
    B = "B"


class ChangeKind(enum.StrEnum):
    """A line of a couple's history."""

    CREATED = "created"
    STAGE = "stage"
    STATUS = "status"


class Source(enum.StrEnum):
    """Where a record came from: the partner's portal, or told in session."""

    PORTAL = "portal"
    SESSION = "session"


class TagCategory(enum.StrEnum):
    """What kind of condition an exception came under."""

    ACTIVITY = "activity"
    TIME = "time"
    PLACE = "place"
    INITIATOR = "initiator"


class AssignmentStatus(enum.StrEnum):
    ASSIGNED = "assigned"
    STARTED = "started"
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"
    WITHDRAWN = "withdrawn"


# Still for the partner to do / done by the partner.
OPEN_ASSIGNMENT = (AssignmentStatus.ASSIGNED, AssignmentStatus.STARTED)
DONE_ASSIGNMENT = (AssignmentStatus.SUBMITTED, AssignmentStatus.REVIEWED)


class SubmissionState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class CheckinState(enum.StrEnum):
    """A private safety check-in sent to one partner."""

    OPEN = "open"
    SUBMITTED = "submitted"


class NoteStatus(enum.StrEnum):
    DRAFT = "draft"  # editable
    SIGNED = "signed"  # locked; corrections are addenda


class InboxKind(enum.StrEnum):
    """What can come in from the portal."""

    SUBMISSION = "submission"
    EXCEPTION = "exception"
    SCALE = "scale"


class MessageStatus(enum.StrEnum):
    """Where a message is: waiting (or waiting to retry), taken by a worker, done, or given up."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"  # withdrawn before sending (e.g. its portal link was replaced)


class MessageKind(enum.StrEnum):
    """What a message is for. The column is free text so a feature can add a kind of its own;
    these are the kinds the pages have a name for."""

    PORTAL_LINK = "portal_link"
    REMINDER = "reminder"
    DIGEST = "digest"


class TokenPurpose(enum.StrEnum):
    """What a mailed account link does."""

    INVITATION = "invitation"  # set a first password; valid 72 hours
    RESET = "reset"  # choose a new password; valid one hour


# The 1-10 scale partners place themselves on.
SCALE_MIN, SCALE_MAX = 1, 10
SCALE = range(SCALE_MIN, SCALE_MAX + 1)
