"""Reminders to partners: when an exercise is due, in the practice's hours, pausable and switchable."""
