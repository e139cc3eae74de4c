"""A record of pipeline stages per subject, kept only when EVALBOOK_STAGE_LOG names a file.

Tests use it to count, across worker processes and notebook kernels, how often a subject is parsed
and scored in one run (the assessment is computed once; later stages read its serialised form).
"""
from __future__ import annotations

import os


def record_stage(stage: str, subject_id: str) -> None:
    target = os.environ.get("EVALBOOK_STAGE_LOG")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(f"{stage}\t{subject_id}\t{os.getpid()}\n")
