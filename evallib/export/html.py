"""Export an executed report notebook. HTML is built here; other formats register in EXPORTERS.

The HTML pipeline is nbconvert's HTMLExporter with a chain of small preprocessors (drop
parameter cells, inputs, prompts, stderr, widget/timing metadata), a template without CDN
scripts (the file opens offline) and A4 print CSS. The same notebook gives byte-identical HTML.

Adding a format (pdf, docx, xlsx …): write `def export_pdf(ctx: ExportContext) -> list[Path]`
that writes into `ctx.out_dir` (a staging folder moved into place only when every format
succeeded) and register it:

    from evallib.export.html import register
    register("pdf")(export_pdf)

or list its module in PLUGIN_MODULES so `evalbook run --format pdf` imports it. An exporter
that needs the HTML calls `html_file(ctx)`; the Evaluation is `ctx.evaluation` (None for the
cross-subject summary).
"""
from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor

from ..report.fonts import CSS_FONT_STACK

TEMPLATES = Path(__file__).parent / "templates"
HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell", "remove_cell"}


# -- preprocessors ------------------------------------------------------------------

class DropTaggedCells(Preprocessor):
    """Remove the parameters cells and any cell tagged remove-cell."""

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells if not HIDDEN_TAGS.intersection(c.get("metadata", {}).get("tags", []))]
        return nb, resources


class DropInputs(Preprocessor):
    """Hide the source of code cells (a report shows results, never code)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.metadata.setdefault("transient", {})["remove_source"] = True
        return cell, resources


class DropPrompts(Preprocessor):
    """Clear execution counts so no In[ ]/Out[ ] prompt can show."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.execution_count = None
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output.execution_count = None
        return cell, resources


class DropStderr(Preprocessor):
    """Remove stderr streams (warnings, logging) from the outputs."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        return cell, resources


class DropEmptyCodeCells(Preprocessor):
    """Code cells without outputs leave nothing to show; drop them for a clean document."""

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells if c.cell_type != "code" or c.get("outputs")]
        return nb, resources


class StableCellIds(Preprocessor):
    """Number the cells: the HTML carries cell ids as anchors; make them independent of any run."""

    def preprocess(self, nb, resources):
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"cell-{i:03d}"
            cell.metadata.pop("execution", None)
            cell.metadata.pop("papermill", None)
        nb.metadata.pop("widgets", None)
        return nb, resources


PREPROCESSORS = [DropTaggedCells, DropStderr, DropEmptyCodeCells, DropInputs, DropPrompts, StableCellIds]


def report_css() -> str:
    return (TEMPLATES / "evalbook" / "report.css").read_text("utf-8").replace("__FONT_STACK__", CSS_FONT_STACK)


class ReportHTMLExporter(HTMLExporter):
    """nbconvert's HTMLExporter without its closing BeautifulSoup pass.

    That pass re-parses the whole page (a third of the export time) only to add a placeholder alt
    text to images and tabindex attributes for notebook navigation; a report has neither need:
    its charts carry their caption as alt text (template block data_png) and it has no cells to focus.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        resources = self._init_resources(resources)
        self.register_filter("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


_exporters = threading.local()  # one per thread: an exporter registers filters on every call


def html_exporter() -> HTMLExporter:
    """This thread's exporter; built once, so its compiled templates serve every report."""
    exporter = getattr(_exporters, "exporter", None)
    if exporter is None:
        exporter = _exporters.exporter = _new_exporter()
    return exporter


def _new_exporter() -> HTMLExporter:
    exporter = ReportHTMLExporter(
        template_name="evalbook",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
        exclude_anchor_links=True,  # nbconvert writes the anchor as <a />, which HTML parsers leave open
        embed_images=True,
        require_js_url="",
        mathjax_url="",
        mermaid_js_url="",
        jupyter_widgets_base_url="",
        widget_renderer_url="",
    )
    for cls in PREPROCESSORS:
        exporter.register_preprocessor(cls(), enabled=True)
    return exporter


def to_html(nb: nbformat.NotebookNode, title: str) -> str:
    """The report notebook as one self-contained HTML page."""
    nb = nbformat.from_dict(nb)  # work on a copy
    resources = {"metadata": {"name": title}, "evalbook_css": report_css()}
    body, _ = html_exporter().from_notebook_node(nb, resources=resources)
    return body


# -- exporter registry --------------------------------------------------------------------

@dataclass
class ExportContext:
    notebook: nbformat.NotebookNode  # executed and cleaned
    out_dir: Path  # write here (staging folder, moved into place when all formats succeeded)
    title: str
    name: str = "report"  # file stem: report / summary
    evaluation: Any = None  # the Evaluation of the subject (None for the summary)
    outputs: dict[str, Path] = field(default_factory=dict)  # format -> file already written


ExporterFunc = Callable[[ExportContext], list[Path]]
EXPORTERS: dict[str, ExporterFunc] = {}
PLUGIN_MODULES: list[str] = ["evallib.export.formats", "evallib.export.opinion"]  # modules that register more formats when imported


def register(fmt: str) -> Callable[[ExporterFunc], ExporterFunc]:
    def deco(func: ExporterFunc) -> ExporterFunc:
        EXPORTERS[fmt] = func
        return func
    return deco


def write_text(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


@register("html")
def export_html(ctx: ExportContext) -> list[Path]:
    path = write_text(ctx.out_dir / f"{ctx.name}.html", to_html(ctx.notebook, ctx.title))
    ctx.outputs["html"] = path
    return [path]


def html_file(ctx: ExportContext) -> Path:
    """The HTML of this report, exporting it first when the html format was not requested."""
    if "html" not in ctx.outputs:
        export_html(ctx)
    return ctx.outputs["html"]


def available_formats() -> list[str]:
    for module in PLUGIN_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return list(EXPORTERS)


def export(ctx: ExportContext, formats: list[str], timings: dict[str, float] | None = None) -> list[Path]:
    """Write every format; `timings` (if given) receives the seconds each format took."""
    import time

    known = available_formats()
    written: list[Path] = []
    for fmt in sorted(formats, key=lambda f: (f != "html", formats.index(f))):
        if fmt not in known:
            raise ValueError(f"不支持的输出格式“{fmt}”；可用：{'、'.join(known)}")
        started = time.perf_counter()
        written += EXPORTERS[fmt](ctx)
        if timings is not None:
            timings[fmt] = timings.get(fmt, 0.0) + time.perf_counter() - started
    return written
