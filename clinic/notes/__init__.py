"""Session notes: collaborative sections, pre-filled drafts, the language check, signing, PDF."""
