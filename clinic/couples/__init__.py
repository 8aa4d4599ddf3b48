"""Client couples, their two partners, and their movement through the six stages."""
