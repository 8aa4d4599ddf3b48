"""The caseload dashboard: reads across couples, records, exercises and notes for one page."""
