"""The review's public names, kept here for existing imports; the checks live in one module per family
(scores, reasons, totals, tables, stated, targets, projects, framework) and run through run.run_review."""
from .findings import CHECKS, SEVERITIES, Finding, Review, severity_counts  # noqa: F401
from .run import coverage, coverage_text, reviewer_text, run_review  # noqa: F401
