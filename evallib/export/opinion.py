"""The 复核意见书 of a subject (`evalbook run --format opinion`): 复核意见书.docx and 复核意见书.pdf in
the subject's folder, both rendered from one HTML page built from the serialised assessment."""
from __future__ import annotations

import tempfile
from pathlib import Path

from ..report.opinion import FILE_STEM, build_opinion
from ..report.opinion_html import SIGN_FIRST, opinion_html
from .docx import html_to_docx
from .html import ExportContext, register
from .pdfengine import html_to_pdf


def write_opinion(record, out_dir: Path) -> list[Path]:
    """复核意见书.docx and 复核意见书.pdf of one AssessmentRecord, written into out_dir."""
    op = build_opinion(record)
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="evalbook-opinion-") as tmp:
        page = Path(tmp) / f"{FILE_STEM}.html"
        page.write_bytes(opinion_html(op).encode("utf-8"))
        docx = letter_layout(html_to_docx(page, out_dir / f"{FILE_STEM}.docx", op.title, toc=False), op.title)
        pdf = html_to_pdf(page, out_dir / f"{FILE_STEM}.pdf", op.title)
    return [docx, pdf]


def letter_layout(path: Path, title: str) -> Path:
    """Word layout of a letter: the title centred, addressee and signature block without first-line
    indent, the signature block to the right as in the PDF."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    from ..collect.sheetstyle import atomic_write
    from .docx import _docx_bytes

    doc = docx.Document(str(path))
    paragraphs = doc.paragraphs
    signing = False
    for i, p in enumerate(paragraphs):
        if i == 0 and p.text.strip() == title:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif i == 1:  # the addressee
            p.paragraph_format.first_line_indent = Pt(0)
        if p.text.startswith(SIGN_FIRST):
            signing = True
            p.paragraph_format.space_before = Pt(36)
        if signing:
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.left_indent = Mm(70)
    atomic_write(path, _docx_bytes(doc, title))
    return path


@register("opinion")
def export_opinion(ctx: ExportContext) -> list[Path]:
    if ctx.evaluation is None:  # the cross-subject summary has no review of its own
        return []
    docx, pdf = write_opinion(ctx.evaluation, Path(ctx.out_dir))
    ctx.outputs["opinion-docx"], ctx.outputs["opinion-pdf"] = docx, pdf
    return [docx, pdf]
