"""Review (复核): checks of a scored subject and its filed documents, each producing findings."""
