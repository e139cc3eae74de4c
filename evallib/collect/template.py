"""`evalbook template`: a workbook a department fills with its data, inputs and self-scores (one module per sheet)."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from ..core.errors import InputError
from ..model.framework import Framework
from ..model.subject import Subject
from .sheet_figures import figures_sheet
from .sheet_inputs import inputs_sheet
from .sheet_meta import meta_sheet, readme_sheet
from .sheet_other import other_sheet
from .sheet_projects import projects_sheet
from .sheet_scores import self_sheet
from .sheet_tables import tables_sheet
from .sheet_text import narrative_sheet, stated_sheet
from .sheetstyle import save_workbook


def template_workbook(framework: Framework, subject: Subject | None = None) -> Workbook:
    if subject is not None and subject.meta.framework != framework.id:
        raise InputError.single(str(subject.path), "meta.framework",
                                f"评价对象使用的指标体系不是“{framework.id}”", subject.meta.framework)
    wb = Workbook()
    wb.remove(wb.active)
    readme_sheet(wb, framework, subject)
    meta_sheet(wb, framework, subject)
    figures_sheet(wb, framework, subject)
    inputs_sheet(wb, framework, subject)
    self_sheet(wb, framework, subject)
    projects_sheet(wb, subject)
    tables_sheet(wb, framework, subject)
    stated_sheet(wb, subject)
    narrative_sheet(wb, subject)
    other_sheet(wb, framework, subject)
    return wb


def write_template(framework: Framework, path: Path, subject: Subject | None = None) -> Path:
    return save_workbook(template_workbook(framework, subject), path, title=f"{framework.meta.name} 数据填报模板")
