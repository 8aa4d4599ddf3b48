"""Inbox forms: the mark-read buttons (CSRF only)."""

from flask_wtf import FlaskForm


class MarkForm(FlaskForm):
    """A button that changes read state: nothing but its CSRF token."""
