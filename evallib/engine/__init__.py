"""Scoring a subject against its framework: one Evaluation per reading, every leaf with its trace."""
