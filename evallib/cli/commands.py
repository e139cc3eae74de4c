"""Registry of the CLI commands beyond scoring: each module listed here has `add(subparsers)`.

Add a command by listing its module; the CLI imports them only when it builds its parser.
"""
from __future__ import annotations

import importlib

COMMAND_MODULES = [
    "evallib.cli.run",  # run, verify
    "evallib.cli.collect",  # xlsx, template, import
    "evallib.cli.workpapers",  # workpapers, workpapers-import, comments, archive, verify-archive
    "evallib.extract.cli",  # extract
    "evallib.cli.schema",  # schema
    "evallib.cli.workbook",  # init
]


def add_all(sub) -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).add(sub)
