"""The 说明 and 基本信息 sheets: written by the template, read back by the importer."""
from __future__ import annotations

from typing import Any

from openpyxl.styles import Alignment, Font

from ..core.errors import Problem
from ..model.framework import Framework
from ..model.subject import Subject
from .cells import as_text, ID_PATTERN, is_blank, Reader, Validations
from .fields import META_FIELDS, SHEET_META, SHEET_README, TEMPLATE_VERSION
from .sheetstyle import BORDER, GREY, header_row, INPUT_FILL, REQUIRED_FILL, WRAP


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


def read_meta(rd: Reader) -> dict[str, Any]:
    ws = rd.wb[SHEET_META]
    rows = {str(ws.cell(row=r, column=1).value or "").strip(): r for r in range(2, ws.max_row + 1)}
    meta: dict[str, Any] = {}
    for key, label, _hint, required in META_FIELDS:
        if key not in rows:
            rd.problems.append(Problem(rd.file, f"{SHEET_META}!A", f"缺少“{label}”（{key}）一行（A列字段名被修改？）"))
            continue
        cell = ws.cell(row=rows[key], column=3)
        if is_blank(cell.value):
            if required:
                rd.bad(cell, label, "必填，不能为空")
            continue
        if key == "year":
            year = rd.number(cell, label, 1900, 2100, whole=True)
            if year is not None:
                meta[key] = int(year)
            continue
        text = as_text(cell.value)
        if key == "id" and not ID_PATTERN.match(text):
            rd.bad(cell, label, "只能由英文字母、数字、-、_、. 组成，且以字母或数字开头", cell.value)
            continue
        if key == "kind" and text not in ("部门整体", "项目支出"):
            rd.bad(cell, label, "应为“部门整体”或“项目支出”", cell.value)
            continue
        meta[key] = text
    return meta
