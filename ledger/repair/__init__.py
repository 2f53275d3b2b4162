"""Credit repair (exit) cases and joint reward/punishment cases: use cases, lookup, worklist."""
