"""Running records: exception-log entries and scale placements, from the portal or in session."""
