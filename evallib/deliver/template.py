"""`evalbook template`: a workbook a department fills with its data, inputs and self-scores."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from ..errors import InputError
from ..framework import Framework
from ..numbers import fmt
from ..subject import Subject, catalogue_for, check_figures
from .common import BORDER, GREY, INPUT_FILL, REQUIRED_FILL, WRAP, cell_number, header_row, save_workbook
from .fields import (GRADE_KEY, INPUT_HEADERS, KIND_TEXT, META_FIELDS, NO, NOT_FILED, SELF_HEADERS, SHEET_FIGURES,
                     SHEET_INPUTS, SHEET_META, SHEET_README, SHEET_SELF, TARGET_HEADERS, TARGET_MARK, TEMPLATE_VERSION,
                     TOTAL_KEY, YES, figure_rows, input_fields, self_rows, slot_nodes)

SPARE_TARGET_ROWS = 3
BLANK_TARGET_ROWS = 10


class Validations:
    """One DataValidation object per distinct rule, each covering many cells."""

    def __init__(self, ws):
        self.ws = ws
        self.cache: dict[tuple, DataValidation] = {}

    def add(self, cell, kind: str, low=None, high=None, choices=None, prompt: str = "") -> None:
        key = (kind, str(low), str(high), tuple(choices or ()))
        dv = self.cache.get(key)
        if dv is None:
            if kind == "list":
                dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
                dv.error = "请从下拉列表中选择：" + "、".join(choices)
            else:
                if high is None:
                    dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=str(low), allow_blank=True)
                    dv.error = f"请填写不小于 {low} 的{'整数' if kind == 'whole' else '数'}"
                else:
                    dv = DataValidation(type=kind, operator="between", formula1=str(low), formula2=str(high),
                                        allow_blank=True)
                    dv.error = f"请填写 {low} 到 {high} 之间的{'整数' if kind == 'whole' else '数'}"
            dv.errorTitle = "填写有误"
            dv.showErrorMessage = True
            if prompt:
                dv.promptTitle = "填写要求"
                dv.prompt = prompt[:250]
                dv.showInputMessage = True
            self.ws.add_data_validation(dv)
            self.cache[key] = dv
        dv.add(cell)


def _number_limits(spec) -> tuple[str, object, object]:
    if spec.kind == "money":
        return "decimal", 0, None
    if spec.kind == "count":
        return "whole", 0, None
    if spec.kind == "ratio":
        return "decimal", 0, 1
    return "decimal", -1e15, 1e15


def readme_sheet(wb, framework: Framework, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_README)
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 90
    ws["A1"] = f"{framework.meta.name} · 数据填报模板"
    ws["A1"].font = Font(bold=True, size=14)
    lines = [
        "本工作簿用于收集一个评价对象（部门或项目）一个年度的绩效评价资料，填好后交评价机构导入：",
        "    evalbook import 本文件.xlsx -o parameters/subjects/<评价对象编号>.yaml",
        "填写说明：",
        "1. 基本信息：评价对象编号、单位、评价对象名称必填；指标体系编号请勿修改。",
        "2. 基础数据：只在“数值”列（C列）填写。金额单位为万元（另有注明的除外），填非负数；人数、个数填非负整数；"
        "比例填 0%–100% 之间的百分比。橙色行为评分需要的数据项：不能留空，确无此数据的请在G列写明原因。",
        "3. 指标输入：按各指标评分标准填写。评价要点逐项填“是”或“否”（要么全部填写，要么全部留空）；"
        "评价人员评分在0与满分之间；“得分依据”写明理由。下方“绩效目标表”逐行填写年度指标值和实际完成值，空行可删可留。",
        "4. 自评分：末级指标的自评分填在E列，不得超过分值；文件所述小计、总分、等级照单位自评报告填写。",
        "5. 照录已发布文件中的错误数据（如自评分超过分值）时，须在该行“原文照录”列填“是”，否则导入时会被拒绝。",
        "6. 导入时逐格检查；任何一格有误都不会生成文件，并会指明工作表、单元格、字段和错误的值。",
        "7. 不要增删或重排工作表、不要修改带“勿改”字样的列。",
    ]
    for i, text in enumerate(lines, 3):
        ws.cell(row=i, column=1, value=text)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=2)
        ws.cell(row=i, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[i].height = 32 if len(text) > 60 else 18
    r = len(lines) + 4
    info = [("模板版本", TEMPLATE_VERSION), ("指标体系编号", framework.id), ("指标体系名称", framework.meta.name),
            ("指标体系文件 sha256", framework.sha256), ("预填自", subject.id if subject else "")]
    for label, value in info:
        ws.cell(row=r, column=1, value=label).font = GREY
        ws.cell(row=r, column=2, value=value).font = GREY
        r += 1


def meta_sheet(wb, framework: Framework, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_META)
    header_row(ws, 1, ["字段（勿改）", "项目", "填写内容", "填写要求"], [14, 16, 44, 60])
    dv = Validations(ws)
    meta = subject.meta if subject else None
    for i, (key, label, hint, required) in enumerate(META_FIELDS, 2):
        value = getattr(meta, key) if meta else None
        if key == "framework":
            value = framework.id
        elif key == "kind":
            value = framework.meta.kind
        elif key == "year" and value is None and not meta:
            value = None
        ws.cell(row=i, column=1, value=key).font = GREY
        ws.cell(row=i, column=2, value=label + ("（必填）" if required else ""))
        cell = ws.cell(row=i, column=3, value=value if value not in ("",) else None)
        cell.fill = REQUIRED_FILL if required else INPUT_FILL
        cell.number_format = "@" if key != "year" else "0"
        ws.cell(row=i, column=4, value=hint).alignment = WRAP
        if key == "kind":
            dv.add(cell, "list", choices=["部门整体", "项目支出"])
        if key == "year":
            dv.add(cell, "whole", 1900, 2100, prompt="四位年度")
        for c in range(1, 5):
            ws.cell(row=i, column=c).border = BORDER


def figures_sheet(wb, framework: Framework, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_FIGURES)
    header_row(ws, 1, ["编号（勿改）", "数据项", "数值", "单位", "填写要求", "评分需要", "无此数据的说明"],
               [28, 46, 18, 8, 22, 9, 30])
    ws.freeze_panes = "C2"
    dv = Validations(ws)
    filed: dict[str, Decimal] = {}
    if subject is not None:
        filed = check_figures(subject.spec.figures, catalogue_for(framework.spec.figures), str(subject.path))
    for i, (key, spec, needed) in enumerate(figure_rows(framework), 2):
        ws.cell(row=i, column=1, value=key).font = GREY
        ws.cell(row=i, column=2, value=spec.label)
        value = filed.get(key)
        cell = ws.cell(row=i, column=3, value=cell_number(value))
        if spec.kind == "ratio":
            cell.number_format = "0.00%"
        cell.fill = REQUIRED_FILL if needed else INPUT_FILL
        ws.cell(row=i, column=4, value=spec.unit)
        ws.cell(row=i, column=5, value=KIND_TEXT[spec.kind])
        ws.cell(row=i, column=6, value=YES if needed else None)
        if needed and value is None and subject is not None:
            ws.cell(row=i, column=7, value=NOT_FILED)
        kind, low, high = _number_limits(spec)
        dv.add(cell, kind, low, high, prompt=f"{spec.label}：{KIND_TEXT[spec.kind]}（{spec.unit}）")
        for c in range(1, 8):
            ws.cell(row=i, column=c).border = BORDER


def _inputs_for(subject: Subject | None, node_id: str, parts: tuple[str, ...]) -> dict:
    if subject is None:
        return {}
    given = subject.spec.inputs.get(node_id, {}) or {}
    for part in parts:  # a composite part reads its own sub-dict if there is one, else the whole
        nested = given.get(part)
        given = nested if isinstance(nested, dict) else given
    return given


def _prefill(f, given: dict):
    if f.kind == "point":
        if "met" in given:
            return YES if f.item in [str(x) for x in given["met"] or []] else NO
        if "missed" in given:
            return NO if f.item in [str(x) for x in given["missed"] or []] else YES
        return None
    value = given.get(f.kind)
    if value is None:
        return None
    if f.kind in ("score", "outside_score", "violations"):
        from ..numbers import to_decimal

        return cell_number(to_decimal(value))
    return str(value)


def _over(value, limit) -> bool:
    from ..numbers import to_decimal

    try:
        return value is not None and limit is not None and to_decimal(value) > limit
    except ValueError:
        return False


def inputs_sheet(wb, framework: Framework, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_INPUTS)
    header_row(ws, 1, INPUT_HEADERS, [22, 40, 34, 30, 44, 9])
    ws.freeze_panes = "D2"
    dv = Validations(ws)
    r = 1
    for f in input_fields(framework):
        r += 1
        value = _prefill(f, _inputs_for(subject, f.node_id, f.parts))
        ws.cell(row=r, column=1, value=f.key).font = GREY
        ws.cell(row=r, column=2, value=f.indicator)
        ws.cell(row=r, column=3, value=f.label)
        cell = ws.cell(row=r, column=4, value=value)
        cell.fill = INPUT_FILL
        ws.cell(row=r, column=5, value=f.hint)
        if f.kind in ("point",) or f.choices:
            dv.add(cell, "list", choices=f.choices)
        elif f.kind == "violations":
            dv.add(cell, "whole", 0)
        elif f.kind in ("score", "outside_score"):
            dv.add(cell, "decimal", 0, cell_number(f.max), prompt=f.hint)
            if _over(value, f.max):
                ws.cell(row=r, column=6, value=YES)
        else:
            cell.number_format = "@"
            cell.alignment = WRAP
        for c in range(1, 7):
            ws.cell(row=r, column=c).border = BORDER
        ws.cell(row=r, column=2).alignment = WRAP
    dv.add(f"F2:F{max(r, 2)}", "list", choices=[YES])
    slots = slot_nodes(framework)
    if not slots:
        return
    r += 2
    ws.cell(row=r, column=1, value=TARGET_MARK + "（每行一个绩效目标；“目标编号”在全表内唯一，可沿用预填编号）").font = Font(bold=True)
    r += 1
    header_row(ws, r, TARGET_HEADERS)
    for slot in slots:
        rows = []
        if subject is not None:
            for item in subject.spec.targets.get(slot.id, []):
                row = item.model_dump()
                extra = subject.spec.inputs.get(item.id, {}) or {}
                for k in ("target", "actual", "score", "evidence"):
                    if extra.get(k) is not None:
                        row[k] = extra[k]
                if subject.spec.self_scores.get(item.id) is not None:
                    row["self_score"] = subject.spec.self_scores[item.id]
                rows.append(row)
        spare = SPARE_TARGET_ROWS if subject is not None else BLANK_TARGET_ROWS
        used = {row["id"] for row in rows}
        n = 0
        for _ in range(spare):
            n += 1
            while f"{slot.id}-{n}" in used:
                n += 1
            rows.append({"id": f"{slot.id}-{n}", "_blank": True})
        for row in rows:
            r += 1
            ws.cell(row=r, column=1, value=slot.id).font = GREY
            ws.cell(row=r, column=2, value=row.get("id")).font = GREY if row.get("_blank") else Font()
            ws.cell(row=r, column=3, value=row.get("name"))
            weight = row.get("weight")
            ws.cell(row=r, column=4, value=cell_number(Decimal(str(weight))) if weight is not None else None)
            for c, k in ((5, "target"), (6, "actual")):
                cell = ws.cell(row=r, column=c, value=None if row.get(k) is None else str(row[k]))
                cell.number_format = "@"
            for c, k in ((7, "self_score"), (8, "score")):
                value = row.get(k)
                ws.cell(row=r, column=c, value=cell_number(Decimal(str(value))) if value is not None else None)
                if weight is not None and _over(value, Decimal(str(weight))):
                    ws.cell(row=r, column=11, value=YES)
            ws.cell(row=r, column=9, value=row.get("evidence") or None)
            ws.cell(row=r, column=10, value=row.get("note") or None)
            for c in range(1, 12):
                ws.cell(row=r, column=c).border = BORDER
                if c >= 2:
                    ws.cell(row=r, column=c).fill = INPUT_FILL
            dv.add(ws.cell(row=r, column=4), "decimal", 0, prompt="该目标的分值")
            dv.add(ws.cell(row=r, column=7), "decimal", 0, prompt="不超过分值")
            dv.add(ws.cell(row=r, column=8), "decimal", 0, prompt="定性指标的评价人员评分，不超过分值")
            dv.add(ws.cell(row=r, column=11), "list", choices=[YES])
        ws.cell(row=r, column=1).comment = None
    ws.cell(row=1, column=1).comment = Comment("“输入编号”“所属指标”列由模板生成，导入时据此识别，请勿修改。", "evalbook")


def self_sheet(wb, framework: Framework, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_SELF)
    header_row(ws, 1, SELF_HEADERS, [16, 6, 44, 8, 10, 14, 9])
    ws.freeze_panes = "D2"
    dv = Validations(ws)
    spec = subject.spec if subject else None
    r = 1
    for node in self_rows(framework):
        r += 1
        ws.cell(row=r, column=1, value=node.id).font = GREY
        ws.cell(row=r, column=2, value=node.level)
        ws.cell(row=r, column=3, value="    " * (node.level - 1) + node.name)
        ws.cell(row=r, column=4, value=cell_number(node.weight))
        limit = node.weight if node.weight is not None else None
        if node.is_leaf:
            value = spec.self_scores.get(node.id) if spec else None
            cell = ws.cell(row=r, column=5, value=cell_number(value))
            cell.fill = INPUT_FILL
            dv.add(cell, "decimal", 0, cell_number(limit), prompt=f"0–{fmt(limit)} 分")
        else:
            ws.cell(row=r, column=3).font = Font(bold=True)
            value = spec.stated.subtotals.get(node.id) if spec else None
            cell = ws.cell(row=r, column=6, value=cell_number(value))
            cell.fill = INPUT_FILL
            dv.add(cell, "decimal", 0, cell_number(limit) if limit is not None else None,
                   prompt="单位自评报告所列小计（没有则留空）")
        if _over(value, limit):
            ws.cell(row=r, column=7, value=YES)
        for c in range(1, 8):
            ws.cell(row=r, column=c).border = BORDER
    dv.add(f"G2:G{r}", "list", choices=[YES])
    r += 2
    ws.cell(row=r, column=1, value=TOTAL_KEY).font = GREY
    ws.cell(row=r, column=3, value="文件所述总分（单位自评报告所列，没有则留空）")
    cell = ws.cell(row=r, column=5, value=cell_number(spec.stated.total) if spec else None)
    cell.fill = INPUT_FILL
    dv.add(cell, "decimal", 0, prompt="单位自评报告所列总分")
    r += 1
    ws.cell(row=r, column=1, value=GRADE_KEY).font = GREY
    ws.cell(row=r, column=3, value="文件所述等级")
    cell = ws.cell(row=r, column=5, value=spec.stated.grade if spec else None)
    cell.fill = INPUT_FILL
    cell.number_format = "@"


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
    return wb


def write_template(framework: Framework, path: Path, subject: Subject | None = None) -> Path:
    return save_workbook(template_workbook(framework, subject), path, title=f"{framework.meta.name} 数据填报模板")
