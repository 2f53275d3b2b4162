"""The event store beyond the library: stored JSON, direct inserts and positions, the
notification log read as envelopes, and side tables fed from it."""
