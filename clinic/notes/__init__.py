"""Session notes."""
