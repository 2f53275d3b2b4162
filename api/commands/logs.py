"""Logging of the long-running commands (serve, relay, project)."""

from __future__ import annotations

import logging

from ledger.privacy import install_log_redaction


def configure_logging() -> None:
    """One root handler for everything (uvicorn's access log included), ID numbers masked."""
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)
    install_log_redaction()
