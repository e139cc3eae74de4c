"""`evalbook template`: a workbook a department fills with its data, inputs and self-scores."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..core.errors import InputError
from ..model.framework import Framework
from ..core.numbers import fmt
from ..model.subject import Subject
from ..model.catalogue import catalogue_for, check_figures
from .sheetstyle import BORDER, GREY, INPUT_FILL, REQUIRED_FILL, WRAP, cell_number, header_row, save_workbook
from .fields import (GRADE_KEY, INPUT_HEADERS, KIND_TEXT, MAX_TABLE_LEVEL, META_FIELDS, NARRATIVE_FIELDS, NO,
                     NO_VALUE, NOT_FILED, OTHER_HEADERS, PROJECT_COLUMNS, SELF_HEADERS, SHEET_FIGURES, SHEET_INPUTS,
                     SHEET_META, SHEET_NARRATIVE, SHEET_OTHER, SHEET_PROJECTS, SHEET_README, SHEET_SELF, SHEET_STATED,
                     SHEET_TABLES, STATED_COLUMNS, TABLE_FIELDS, TABLE_FIRST_VALUE_COLUMN, TABLE_MARK,
                     TABLE_ROW_HEADERS, TARGET_HEADERS, TARGET_MARK, TEMPLATE_VERSION, TOTAL_KEY, VALUE_TYPES, YES,
                     figure_rows, input_fields, self_rows, slot_nodes)

SPARE_TARGET_ROWS = 3
BLANK_TARGET_ROWS = 10
SPARE_ROWS, BLANK_ROWS = 3, 15  # spare rows under prefilled lists / rows of a blank template's lists
SPARE_TABLE_ROWS, BLANK_TABLE_ROWS, BLANK_TABLES = 2, 12, 2


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


def exact_cell(value):
    """A Decimal as an Excel number when a float holds it exactly, else as text (read back digit for digit)."""
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value() and abs(value) < 2 ** 53:
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) == value:
        return as_float
    return fmt(value)


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
        "5. 照录已发布文件中的错误数据（如自评分超过分值）时，须在该行“原文照录”列填“是”，否则导入时会被拒绝。"
        "文件列出某指标但自评分为空白的，自评分填“—”。",
        "6. 项目清单：每行一个项目，项目名称必填；金额单位万元，填非负数。空行可删可留。",
        "7. 报表：每张报表一块，以A列“【报表】”开头，依次为报表编号、名称、单位、资料来源、栏目行（E列起每列一个栏目名称）和各行数据。"
        "“层级”填1表示顶层行，填2表示上方最近一个1级行的组成部分（其数额应合计为该行），依此类推。"
        "数值栏：文件该栏印为“—”的填“—”，本行没有该栏的留空。增加报表可复制整块（含A列“【报表】”）。",
        "8. 文件所述数值：照录文件中出现的比率、金额等数值（如“预算执行率96.42%”），数值按文件原样填写，供复核比对。",
        "9. 情况说明：照录部门职能、机构、年度工作等文字；存在问题、改进建议每行一条。",
        "10. 其他输入：保存其他工作表没有对应格子的评分输入，由评价机构维护，一般无需改动。",
        "11. 导入时逐格检查；任何一格有误都不会生成文件，并会指明工作表、单元格、字段和错误的值。",
        "12. 不要增删或重排工作表、不要修改带“勿改”字样的列。",
    ]
    for i, text in enumerate(lines, 3):
        ws.cell(row=i, column=1, value=text)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=2)
        ws.cell(row=i, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[i].height = 16 * max(1, -(-len(text) // 55))
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
        cell = ws.cell(row=i, column=3, value=exact_cell(value))
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
    # A composite part is prefilled from its own sub-dict only: values given for the whole indicator (which
    # every part reads when it has no sub-dict) stay where they are and travel on 其他输入, so the import
    # rebuilds the inputs exactly as written.
    for part in parts:
        nested = given.get(part)
        if not isinstance(nested, dict):
            return {}
        given = nested
    return given


def _field_key(f, given: dict) -> str:
    """A checklist point recorded as `missed` keeps that form through its key (filled the same way)."""
    if f.kind == "point" and given.get("met") is None and given.get("missed") is not None:
        return f.key.replace("|point:", "|missed:", 1)
    return f.key


def _prefill(f, given: dict):
    if f.kind == "point":
        if "met" in given:
            return YES if f.item in [str(x) for x in given["met"] or []] else NO
        if "missed" in given:
            return NO if f.item in [str(x) for x in given["missed"] or []] else YES
        return None
    value = given.get(f.kind)
    if f.kind == "series":
        value = {str(k): v for k, v in value.items()}.get(f.item) if isinstance(value, dict) else None
    if value is None:
        return None
    if f.kind in ("score", "outside_score", "violations", "cases", "series"):
        from ..core.numbers import to_decimal

        return cell_number(to_decimal(value))
    return str(value)


def _over(value, limit) -> bool:
    from ..core.numbers import to_decimal

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
        given = _inputs_for(subject, f.node_id, f.parts)
        value = _prefill(f, given)
        ws.cell(row=r, column=1, value=_field_key(f, given)).font = GREY
        ws.cell(row=r, column=2, value=f.indicator)
        ws.cell(row=r, column=3, value=f.label)
        cell = ws.cell(row=r, column=4, value=value)
        cell.fill = INPUT_FILL
        ws.cell(row=r, column=5, value=f.hint)
        if f.kind in ("point",) or f.choices:
            dv.add(cell, "list", choices=f.choices)
        elif f.kind in ("violations", "cases"):
            dv.add(cell, "whole", 0)
        elif f.kind == "series":
            pass  # any number, as the document prints it
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
            # the item as written; inputs.<id> and self_scores.<id> given for a target travel on 其他输入 / 自评分
            rows.extend(item.model_dump() for item in subject.spec.targets.get(slot.id, []))
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
            ws.cell(row=r, column=4, value=exact_cell(weight))
            for c, k in ((5, "target"), (6, "actual")):
                cell = ws.cell(row=r, column=c, value=None if row.get(k) is None else str(row[k]))
                cell.number_format = "@"
            for c, k in ((7, "self_score"), (8, "score")):
                value = row.get(k)
                ws.cell(row=r, column=c, value=exact_cell(value))
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


def _self_score_cell(spec, key: str):
    if spec is None or key not in spec.self_scores:
        return None
    value = spec.self_scores[key]
    return NO_VALUE if value is None else exact_cell(value)


def _self_score_rows(framework: Framework, subject: Subject | None) -> list[tuple]:
    """(id, level, name, weight, is_leaf, is_target): the framework's nodes, and under a slot the targets the
    subject gives a self_scores entry for (otherwise a target's self-score sits in its row on 指标输入)."""
    spec = subject.spec if subject else None
    rows = []
    for node in self_rows(framework):
        rows.append((node.id, node.level, node.name, node.weight, node.is_leaf, False))
        if spec is not None and node.slot is not None:
            for item in spec.targets.get(node.id, []):
                if item.id in spec.self_scores:
                    rows.append((item.id, node.level + 1, f"绩效目标：{item.name}", item.weight, True, True))
    return rows


def self_sheet(wb, framework: Framework, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_SELF)
    header_row(ws, 1, SELF_HEADERS, [16, 6, 44, 8, 10, 14, 9])
    ws.freeze_panes = "D2"
    dv = Validations(ws)
    spec = subject.spec if subject else None
    r = 1
    for node_id, level, name, weight, is_leaf, _target in _self_score_rows(framework, subject):
        r += 1
        ws.cell(row=r, column=1, value=node_id).font = GREY
        ws.cell(row=r, column=2, value=level)
        ws.cell(row=r, column=3, value="    " * (level - 1) + name)
        ws.cell(row=r, column=4, value=exact_cell(weight))
        limit = Decimal(str(weight)) if weight is not None else None
        if is_leaf:
            value = _self_score_cell(spec, node_id)
            cell = ws.cell(row=r, column=5, value=value)
            cell.fill = INPUT_FILL
            dv.add(cell, "decimal", 0, cell_number(limit), prompt=f"0–{fmt(limit)} 分")
        else:
            ws.cell(row=r, column=3).font = Font(bold=True)
            value = spec.stated.subtotals.get(node_id) if spec else None
            cell = ws.cell(row=r, column=6, value=exact_cell(value))
            cell.fill = INPUT_FILL
            dv.add(cell, "decimal", 0, cell_number(limit) if limit is not None else None,
                   prompt="单位自评报告所列小计（没有则留空）")
        if value != NO_VALUE and _over(value, limit):
            ws.cell(row=r, column=7, value=YES)
        for c in range(1, 8):
            ws.cell(row=r, column=c).border = BORDER
    dv.add(f"G2:G{r}", "list", choices=[YES])
    r += 2
    ws.cell(row=r, column=1, value=TOTAL_KEY).font = GREY
    ws.cell(row=r, column=3, value="文件所述总分（单位自评报告所列，没有则留空）")
    cell = ws.cell(row=r, column=5, value=exact_cell(spec.stated.total) if spec else None)
    cell.fill = INPUT_FILL
    dv.add(cell, "decimal", 0, prompt="单位自评报告所列总分")
    r += 1
    ws.cell(row=r, column=1, value=GRADE_KEY).font = GREY
    ws.cell(row=r, column=3, value="文件所述等级")
    cell = ws.cell(row=r, column=5, value=spec.stated.grade if spec else None)
    cell.fill = INPUT_FILL
    cell.number_format = "@"


def _text_cell(ws, row: int, column: int, value, wrap: bool = True):
    cell = ws.cell(row=row, column=column, value=value if value not in (None, "") else None)
    cell.number_format = "@"
    if wrap:
        cell.alignment = WRAP
    return cell


def projects_sheet(wb, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_PROJECTS)
    header_row(ws, 1, [h for _, h, _, _ in PROJECT_COLUMNS], [w for *_, w in PROJECT_COLUMNS])
    ws.freeze_panes = "B2"
    dv = Validations(ws)
    projects = [p.model_dump() for p in subject.spec.projects] if subject else []
    rows = projects + [{}] * (SPARE_ROWS if subject is not None else BLANK_ROWS)
    for r, project in enumerate(rows, 2):
        for c, (key, header, kind, _) in enumerate(PROJECT_COLUMNS, 1):
            value = project.get(key)
            if kind == "text":
                cell = _text_cell(ws, r, c, value)
            else:
                cell = ws.cell(row=r, column=c, value=exact_cell(value))
                dv.add(cell, "decimal", 0, prompt=("金额（万元），非负数" if kind == "money" else "项目自评分，非负数"))
            cell.fill = REQUIRED_FILL if key == "name" else INPUT_FILL
            cell.border = BORDER


def _table_rows(rows, level: int = 1):
    for row in rows:
        yield level, row
        yield from _table_rows(row.parts, level + 1)


def tables_sheet(wb, framework: Framework, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_TABLES)
    tables = list(subject.spec.tables) if subject else []
    width = max([len(t.columns) for t in tables] + [4])
    header_row(ws, 1, ["标记（勿改）", "项目", "内容"])
    for col, w in enumerate([10, 36, 24, 24] + [14] * width, 1):
        ws.column_dimensions[get_column_letter(col)].width = w
    ws.cell(row=2, column=1, value="每张报表一块：A列“【报表】”行起依次为报表编号、名称、单位、资料来源，"
                                   "其下一行为栏目行（E列起每列一个栏目），再下为各行数据；层级1为顶层，2为上方最近一个1级行的组成部分，依此类推。"
            ).font = GREY
    dv = Validations(ws)
    blocks = [(t.model_dump(), list(_table_rows(t.rows)), SPARE_TABLE_ROWS) for t in tables]
    if subject is None:
        blocks = [({"unit": "万元", "columns": []}, [], BLANK_TABLE_ROWS)] * BLANK_TABLES
    r = 3
    for table, rows, spare in blocks:
        r += 1
        ws.cell(row=r, column=1, value=TABLE_MARK).font = Font(bold=True)
        for i, (key, label) in enumerate(TABLE_FIELDS):
            ws.cell(row=r + i, column=2, value=label).font = Font(bold=True)
            cell = _text_cell(ws, r + i, 3, table.get(key), wrap=False)
            cell.fill = REQUIRED_FILL if "必填" in label else INPUT_FILL
            cell.border = BORDER
        r += len(TABLE_FIELDS)
        header_row(ws, r, TABLE_ROW_HEADERS)
        columns = table.get("columns") or []
        for c in range(TABLE_FIRST_VALUE_COLUMN, TABLE_FIRST_VALUE_COLUMN + max(len(columns), width)):
            i = c - TABLE_FIRST_VALUE_COLUMN
            cell = ws.cell(row=r, column=c, value=columns[i] if i < len(columns) else None)
            cell.font = Font(bold=True)
            cell.fill = INPUT_FILL
            cell.border = BORDER
            cell.alignment = WRAP
            cell.number_format = "@"
        first = r + 1
        for level, row in rows + [(None, None)] * spare:
            r += 1
            ws.cell(row=r, column=1, value=level)
            name = _text_cell(ws, r, 2, row.name if row else None, wrap=False)
            name.alignment = Alignment(indent=(level - 1) * 2 if level else 0)
            _text_cell(ws, r, 3, row.figure if row else None, wrap=False)
            _text_cell(ws, r, 4, row.note if row else None, wrap=False)
            for i, value in enumerate(row.values if row else []):
                shown = NO_VALUE if value is None else exact_cell(value)  # “—”: the document prints no number
                ws.cell(row=r, column=TABLE_FIRST_VALUE_COLUMN + i, value=shown)
            for c in range(1, TABLE_FIRST_VALUE_COLUMN + max(len(columns), width)):
                ws.cell(row=r, column=c).border = BORDER
                ws.cell(row=r, column=c).fill = INPUT_FILL
        if r >= first:
            last = get_column_letter(TABLE_FIRST_VALUE_COLUMN + max(len(columns), width) - 1)
            dv.add(f"A{first}:A{r}", "whole", 1, MAX_TABLE_LEVEL, prompt="1 为顶层行；2 为上方最近一个1级行的组成部分")
            dv.add(f"{get_column_letter(TABLE_FIRST_VALUE_COLUMN)}{first}:{last}{r}", "decimal", -1e15, 1e15,
                   prompt="数字；文件该栏为“—”的可留空")
        r += 1


def stated_sheet(wb, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_STATED)
    header_row(ws, 1, [h for _, h, _ in STATED_COLUMNS], [w for *_, w in STATED_COLUMNS])
    ws.freeze_panes = "A2"
    values = [v.model_dump() for v in subject.spec.stated.values] if subject else []
    for r, item in enumerate(values + [{}] * (SPARE_ROWS if subject is not None else BLANK_ROWS), 2):
        for c, (key, header, _) in enumerate(STATED_COLUMNS, 1):
            cell = _text_cell(ws, r, c, item.get(key), wrap=key == "where")
            cell.fill = REQUIRED_FILL if "必填" in header else INPUT_FILL
            cell.border = BORDER


def narrative_sheet(wb, subject: Subject | None) -> None:
    ws = wb.create_sheet(SHEET_NARRATIVE)
    header_row(ws, 1, ["字段（勿改）", "项目", "内容", "填写要求"], [12, 18, 90, 30])
    narrative = subject.spec.narrative if subject else None
    r = 1
    for key, label, is_list, hint in NARRATIVE_FIELDS:
        value = getattr(narrative, key) if narrative else ([] if is_list else "")
        items = (list(value) + [None] * (SPARE_ROWS if subject is not None else 5)) if is_list else [value]
        for i, item in enumerate(items, 1):
            r += 1
            ws.cell(row=r, column=1, value=key).font = GREY
            ws.cell(row=r, column=2, value=f"{label} {i}" if is_list else label)
            cell = _text_cell(ws, r, 3, item)
            cell.fill = INPUT_FILL
            ws.cell(row=r, column=4, value=hint if i == 1 else None).alignment = WRAP
            for c in range(1, 5):
                ws.cell(row=r, column=c).border = BORDER
            if item and not is_list:
                ws.row_dimensions[r].height = min(409, 15 * (1 + len(str(item)) // 60 + str(item).count("\n")))


def _same(a, b) -> bool:
    """Equal as YAML data, numbers compared by value (1.97 read from YAML equals Decimal('1.97'))."""
    numeric = (int, float, Decimal)
    if isinstance(a, numeric) and isinstance(b, numeric) and not isinstance(a, bool) and not isinstance(b, bool):
        from ..core.numbers import to_decimal

        return to_decimal(a) == to_decimal(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _remainder(original, produced) -> list[tuple[tuple, object]]:
    """(path, value) of what `original` holds and `produced` (the import of the other sheets) does not."""
    out = []
    for key, value in original.items():
        if key in produced and _same(produced[key], value):
            continue
        if isinstance(value, dict) and value and isinstance(produced.get(key), dict) \
                and all(isinstance(k, str) and "/" not in k for k in value):
            out.extend(((key,) + path, v) for path, v in _remainder(value, produced[key]))
        else:
            out.append(((key,), value))
    return out


def _typed(value) -> tuple[object, str]:
    """The cell value and the 值的类型 of one remaining input value."""
    import yaml

    if isinstance(value, bool):
        return (YES if value else NO), VALUE_TYPES["bool"]
    if value is None:
        return None, VALUE_TYPES["null"]
    if isinstance(value, str):
        return value, VALUE_TYPES["text"]
    if isinstance(value, (int, float, Decimal)):
        return exact_cell(Decimal(repr(value)) if isinstance(value, float) else Decimal(value)), VALUE_TYPES["number"]
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10 ** 6, sort_keys=False)
    return text.strip(), VALUE_TYPES["yaml"]


def other_sheet(wb, framework: Framework, subject: Subject | None) -> None:
    """Inputs the subject gives that no cell of 指标输入 carries, key by key, so the import loses nothing."""
    ws = wb.create_sheet(SHEET_OTHER)
    header_row(ws, 1, OTHER_HEADERS, [16, 30, 70, 10])
    dv = Validations(ws)
    rows = []
    if subject is not None and subject.spec.inputs:
        from .importer import Reader, read_inputs

        produced, _, _ = read_inputs(Reader.of_workbook(wb, "（模板）"), framework)
        for node_id, given in subject.spec.inputs.items():
            if not isinstance(given, dict) or any(not isinstance(k, str) or "/" in k for k in given):
                rows.append((node_id, None, given))
                continue
            rest = _remainder(given, produced.get(node_id, {}))
            rows.extend((node_id, "/".join(path), value) for path, value in rest)
    r = 1
    for node_id, path, value in rows + [(None, None, None)] * (SPARE_ROWS if subject is not None else 5):
        r += 1
        ws.cell(row=r, column=1, value=node_id).number_format = "@"
        ws.cell(row=r, column=2, value=path).number_format = "@"
        shown, kind = _typed(value) if node_id is not None else (None, None)
        cell = ws.cell(row=r, column=3, value=shown)
        if kind != VALUE_TYPES["number"]:
            cell.number_format = "@"
        cell.alignment = WRAP
        ws.cell(row=r, column=4, value=kind)
        for c in range(1, 5):
            ws.cell(row=r, column=c).border = BORDER
            ws.cell(row=r, column=c).fill = INPUT_FILL
    dv.add(f"D2:D{r}", "list", choices=list(VALUE_TYPES.values()))


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
