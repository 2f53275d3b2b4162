"""Bulk import: files read, rows validated against the write contracts, subjects saved in
batches (docs/import.md)."""
