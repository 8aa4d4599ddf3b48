"""The append-only audit log of every access to client material."""
