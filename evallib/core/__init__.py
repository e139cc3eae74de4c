"""Foundations every stage uses: exact numbers, user-facing errors, YAML reading, atomic writes."""
