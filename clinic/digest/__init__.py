"""The clinician's daily digest by email: opt-in, counts and case labels only, in practice hours."""
