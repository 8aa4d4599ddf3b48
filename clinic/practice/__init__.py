"""The practice: its team (clinicians, supervisors, owners) and its overview page."""
