"""Exercises: the catalogue (pure data), assignments to partners, and what they submit."""
