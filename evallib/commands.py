"""Registry of the CLI commands that live beyond scoring (report, batch, deliverables)."""
from __future__ import annotations

COMMANDS = []  # callables taking the argparse subparsers object


def add_all(sub) -> None:
    for add in COMMANDS:
        add(sub)
