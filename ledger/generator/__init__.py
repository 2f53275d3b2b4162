"""The synthetic city (deterministic per seed) and the demo that loads it into an empty store."""
