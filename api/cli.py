"""The credit-ledger command line: serve, relay, project, import, generate, replay, ...

The console script `credit-ledger` (and `python -m api.cli`). Every command module is an
explicit import below: one that cannot be loaded stops the CLI with its name (docs/adr/019).
"""

from __future__ import annotations

from types import ModuleType

import typer

from api.commands import (
    calendar,
    checkpointing,
    expiring,
    importing,
    projecting,
    relaying,
    replaying,
    serving,
)

# Each module has register(app); `projecting` adds `replay rebuild` to `replaying`'s group.
COMMANDS: tuple[ModuleType, ...] = (serving, importing, relaying, projecting, replaying,
                                    expiring, calendar, checkpointing)

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Event-sourced public credit ledger.")


@app.callback()
def _root() -> None:
    """Event-sourced public credit ledger: settings come from LEDGER_* environment variables."""


def register_all(target: typer.Typer) -> None:
    for module in COMMANDS:
        module.register(target)


def main() -> None:
    register_all(app)
    app()


if __name__ == "__main__":
    main()
