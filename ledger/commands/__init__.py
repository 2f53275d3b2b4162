"""CLI commands beyond `serve`, one module each; every module has register(app)."""

from __future__ import annotations

import importlib

import typer

MODULES = ["ledger.commands.importing", "ledger.commands.relaying", "ledger.commands.projecting",
           "ledger.commands.replaying", "ledger.commands.repairing",
           "ledger.commands.calendar", "ledger.commands.checkpointing"]


def register_all(app: typer.Typer) -> None:
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            continue  # a command module not written yet
        module.register(app)
