"""Invitations and password resets: single-use links mailed to staff."""
