"""The event store beyond the library: stored JSON, direct inserts and positions, the
notification log read as envelopes, side tables fed from it, and the one SQL dialect
adapter (`sql`)."""
