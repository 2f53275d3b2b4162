"""Projections: feeds, the runner, the views, rebuilds (docs/adr/017)."""
