"""The 复核意见书 of a subject (`evalbook run --format opinion`): 复核意见书.docx and 复核意见书.pdf in
the subject's folder, both rendered from one HTML page built from the serialised assessment."""
from __future__ import annotations

import tempfile
from pathlib import Path

from ..report.opinion import FILE_STEM, build_opinion
from ..report.opinion_html import opinion_html
from .docx import html_to_docx
from .html import ExportContext, register
from .pdf import html_to_pdf


def write_opinion(record, out_dir: Path) -> list[Path]:
    """复核意见书.docx and 复核意见书.pdf of one AssessmentRecord, written into out_dir."""
    op = build_opinion(record)
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="evalbook-opinion-") as tmp:
        page = Path(tmp) / f"{FILE_STEM}.html"
        page.write_bytes(opinion_html(op).encode("utf-8"))
        docx = html_to_docx(page, out_dir / f"{FILE_STEM}.docx", op.title, toc=False)
        pdf = html_to_pdf(page, out_dir / f"{FILE_STEM}.pdf", op.title)
    return [docx, pdf]


@register("opinion")
def export_opinion(ctx: ExportContext) -> list[Path]:
    if ctx.evaluation is None:  # the cross-subject summary has no review of its own
        return []
    docx, pdf = write_opinion(ctx.evaluation, Path(ctx.out_dir))
    ctx.outputs["opinion-docx"], ctx.outputs["opinion-pdf"] = docx, pdf
    return [docx, pdf]
