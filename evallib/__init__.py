"""evalbook: budget performance evaluation (预算绩效评价) — frameworks, rules, scores, review, reports."""
__version__ = "0.1.0"
