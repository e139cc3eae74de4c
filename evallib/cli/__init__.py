"""The `evalbook` command line: one module per group of commands, registered in commands.py."""
from .main import main

__all__ = ["main"]
