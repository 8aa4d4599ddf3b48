"""The clinician's inbox: everything that came in from the portal, read state, the daily digest."""
