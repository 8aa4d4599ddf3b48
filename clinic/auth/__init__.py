"""Accounts, sign-in and sign-out for clinicians, supervisors and practice owners."""
