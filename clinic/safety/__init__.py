"""Safety in couples work: the clinician-only flag, private check-ins, danger words, quick exit."""
