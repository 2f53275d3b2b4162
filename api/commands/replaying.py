"""`credit-ledger replay ...`: auditors' tools (history, state, verify, export, diff, rebuild)."""

from __future__ import annotations

import typer

from replay import cli as auditor_commands  # history, state, verify, export, diff

replay_app = typer.Typer(no_args_is_help=True, add_completion=False,
                         help="Replay and audit: history, as-of state, rebuild, verify, export.")


def register(app: typer.Typer) -> None:
    auditor_commands.register(replay_app)
    app.add_typer(replay_app, name="replay")
