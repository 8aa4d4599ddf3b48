"""Inbox forms: the mark-read buttons (CSRF only)."""

from ..formkit import ClinicForm


class MarkForm(ClinicForm):
    """A button that changes read state: nothing but its CSRF token."""
