"""Registry of the CLI commands that live beyond scoring (report, batch, deliverables)."""
from __future__ import annotations

COMMANDS = []  # callables taking the argparse subparsers object


def add_all(sub) -> None:
    for add in COMMANDS:
        add(sub)


from .deliver.cli import add as _add_deliverables  # noqa: E402  (xlsx, template, import)

COMMANDS.append(_add_deliverables)

from .report.cli import add as _add_report  # noqa: E402  (run, verify)

COMMANDS.append(_add_report)
