"""Small Word (.docx) builder for the engagement papers: A4, Chinese fonts, real tables, same bytes on rerun."""
from __future__ import annotations

import io
from pathlib import Path

from ..collect.sheetstyle import atomic_write, fixed_datetime, fixed_zip

BODY_FONT = "宋体"


class WordDoc:
    def __init__(self, title: str):
        from docx import Document
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        style = self.doc.styles["Normal"]
        style.font.size = Pt(10.5)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
        self.title = title
        self.doc.add_heading(title, level=0)

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(text, level=level)

    def paragraph(self, text: str) -> None:
        self.doc.add_paragraph(text)

    def table(self, header: list[str] | None, rows: list[list[str]]) -> None:
        width = len(header) if header else max(len(r) for r in rows)
        table = self.doc.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        for n, row in enumerate(([header] if header else []) + rows):
            cells = table.add_row().cells
            for cell, value in zip(cells, row):
                cell.text = "" if value is None else str(value)
                if header and n == 0:
                    for run in cell.paragraphs[0].runs:
                        run.bold = True

    def page_break(self) -> None:
        self.doc.add_page_break()

    def bytes(self) -> bytes:
        when = fixed_datetime()
        props = self.doc.core_properties
        props.title, props.author, props.last_modified_by = self.title, "evalbook", "evalbook"
        props.created = props.modified = when
        props.revision = 1
        raw = io.BytesIO()
        self.doc.save(raw)
        return fixed_zip(raw.getvalue(), when)

    def save(self, path: Path) -> Path:
        atomic_write(Path(path), self.bytes())
        return Path(path)
