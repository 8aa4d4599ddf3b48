"""The clinician's inbox: everything that came in from the portal, and who has read it."""
