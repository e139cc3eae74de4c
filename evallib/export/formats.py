"""Report formats pdf, docx, xlsx and svg for `evalbook run --format`, registered in the report's EXPORTERS.

Importing this module registers them (evallib.export.html lists it in PLUGIN_MODULES).
"""
from __future__ import annotations

from pathlib import Path

from .html import ExportContext, html_file, register
from .docx import html_to_docx
from .pdfengine import html_to_pdf


@register("pdf")
def export_pdf(ctx: ExportContext) -> list[Path]:
    """With the engine of `pdfengine.pdf_engine` (Chromium unless told or unable)."""
    path = html_to_pdf(html_file(ctx), Path(ctx.out_dir) / f"{ctx.name}.pdf", ctx.title)
    ctx.outputs["pdf"] = path
    return [path]


@register("docx")
def export_docx(ctx: ExportContext) -> list[Path]:
    path = html_to_docx(html_file(ctx), Path(ctx.out_dir) / f"{ctx.name}.docx", ctx.title)
    ctx.outputs["docx"] = path
    return [path]


@register("xlsx")
def export_xlsx(ctx: ExportContext) -> list[Path]:
    """The subject's workbook (评分表, 复核发现, 基础数据); the cross-subject summary has no Evaluation here."""
    from .xlsx import write_subject_xlsx

    if ctx.evaluation is None:
        return []
    path = write_subject_xlsx(ctx.evaluation, Path(ctx.out_dir) / f"{ctx.name}.xlsx")
    ctx.outputs["xlsx"] = path
    return [path]


@register("svg")
def export_svg(ctx: ExportContext) -> list[Path]:
    """The charts as SVG files: the report notebook writes them beside the PNGs when run with chart_svg
    (the batch runner sets it when svg is asked for); listed here so the run records them."""
    return sorted((Path(ctx.out_dir) / "charts").glob("*.svg"))
