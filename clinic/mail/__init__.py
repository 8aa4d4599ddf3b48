"""Outgoing mail: an outbox written with its cause, delivered by the background worker."""
