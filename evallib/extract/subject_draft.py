"""Draft a subject (评价对象) from a report: self-scores, 得分依据, stated total and grade, rates, basic tables."""
from __future__ import annotations

import re
from decimal import Decimal

from ..model.framework import Framework
from .blocks import amount
from .figures import UNIT, Labels, data_blocks, extract_figures
from .projects import extract_projects
from .framework_draft import pick_table
from .match import match_leaves
from .normalize import clean, half_width, key, number
from .readers import Document
from .report import Report
from .tables import find_indicator_tables
from .target_form import find_target_forms

_RATE = re.compile(r"([\u4e00-\u9fa5“”\"]{2,16}?率)\s*(?:为|达到|达|是|：|:)?\s*(\d+(?:\.\d+)?\s*[%％])")
_GRADE = re.compile(r"(?:评价等[级次]|等[级次]|评定为|评价结果为?)\s*[:：为]?\s*[“\"]?(优秀|良好|一般|较差|优|良|中|差)")
_YEAR = re.compile(r"(20\d\d)\s*年度")


def _ascii_id(text: str) -> str:
    out = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-._")
    return out or "subject"


def draft_subject(doc: Document, framework: Framework, table_no: int | None, report: Report, subject_id: str | None) -> dict:
    year = next((int(m.group(1)) for line in doc.lines[:80] if (m := _YEAR.search(line.text))), None)
    unit = next((clean(re.split(r"[:：]", line.text, 1)[1]) for line in doc.lines[:60]
                 if re.match(r"^(部门名称|单位名称|填报单位|部门（单位）名称)", line.text) and re.split(r"[:：]", line.text, 1)[1:]
                 and clean(re.split(r"[:：]", line.text, 1)[1])), "")
    data: dict = {
        "draft": {"status": "草稿", "confirmed": False, "source": doc.path.name,
                  "note": "由 evalbook extract 自动生成：自评分、总分与数值照文件录入并注明出处，须核对后将 confirmed 改为 true"},
        "meta": {"id": subject_id or _ascii_id(f"{doc.path.stem}-{framework.id}"), "unit": unit or "（待填：单位名称）",
                 "name": f"{year or ''}年度{framework.meta.kind}支出" if year else f"{framework.meta.kind}支出",
                 "kind": framework.meta.kind, "year": year, "framework": framework.id,
                 "source": f"{doc.path.name}（evalbook extract 草稿）"},
    }
    leaves = [n for n in framework.leaves()]
    if any(n.slot for n in framework.nodes()):
        _project_table(doc, framework, table_no, data, report)
    else:
        _score_table(doc, framework, leaves, table_no, data, report)
    if data["meta"]["unit"].startswith("（待填"):
        report.warn("未能从文件中读出单位名称：meta.unit 须人工填写")
    _stated_values(doc, data, report, framework)
    form = data.pop("form", None)
    _figures(doc, framework, data, report, form)
    _tables(doc, data, report, framework.meta.kind, form)
    return data


def _figures(doc: Document, framework: Framework, data: dict, report: Report, form) -> None:
    """Basic figures and the project list from recognisable tables, with their sources in the draft block."""
    catalogue = framework.catalogue
    own = {f"{g}.{n}" for g, fields in framework.spec.figures.items() for n in fields}
    labels = Labels.build(framework.meta.kind, catalogue, own, data["meta"].get("year"))
    figures, sources, to_check, unmatched = extract_figures(doc, labels, form.covers if form else None)
    if figures:
        data["figures"] = figures
        data["draft"].setdefault("sources", {})["figures"] = sources
        for key, where in sources.items():
            group, name = key.split(".", 1)
            report.figures.append((key, catalogue[key].label, figures[group][name], where))
    report.to_check += to_check
    report.unmatched += unmatched
    if framework.meta.kind == "部门整体":
        projects, project_sources, lines = extract_projects(doc, labels, find_target_forms(doc))
        if projects:
            data["projects"] = projects
            data["draft"].setdefault("sources", {})["projects"] = project_sources
        report.found += [x for x in lines if x.startswith("项目清单")]
        report.to_check += [x for x in lines if not x.startswith("项目清单")]


def _score_table(doc, framework, leaves, table_no, data, report) -> None:
    tables = find_indicator_tables(doc)
    if table_no is None and tables:  # the table whose leaves best match the framework
        best = max(range(len(tables)), key=lambda k: len(match_leaves(leaves, _found(tables[k]))[0]))
        table_no = best + 1
    table, _ = pick_table(doc, table_no, report)
    found = _found(table)
    matches, missing, extra = match_leaves(leaves, found)
    scores, inputs = {}, {}
    for m in matches:
        item = m.item
        weight = next(n.weight for n in leaves if n.id == m.framework_id)
        where = item.where
        scores[m.framework_id] = item.score
        report.matched.append((m.framework_id, f"{m.framework_name} ← “{m.found_name}”（相似度 {m.score}）",
                               item.score, where))
        if item.weight is not None and weight is not None and item.weight != weight:
            report.warn(f"{m.framework_id} {m.framework_name}：文件中分值 {item.weight} 与指标体系 {weight} 不符（{where}）")
        if item.score is not None and weight is not None and item.score > weight:
            report.warn(f"{m.framework_id} {m.framework_name}：自评分 {item.score} 超过分值 {weight}（{where}）")
        if item.score is None:
            report.unmatched.append(f"{m.framework_id} {m.framework_name}：找到该行（{where}）但没有读到自评分")
        if item.evidence:
            inputs[m.framework_id] = {"evidence": f"{item.evidence}（{where} 得分依据）"}
    for n in missing:
        report.unmatched.append(f"{n.id} {n.name}：文件中没有找到对应的行")
        scores[n.id] = None
    for path, item in extra:
        report.unmatched.append(f"文件中的“{' / '.join(path)}”（{item.where}）未对应到指标体系中的任何指标")
    data["inputs"] = inputs
    data["self_scores"] = {k: scores[k] for k in sorted(scores, key=lambda x: [int(p) if p.isdigit() else p for p in x.split(".")])}
    stated: dict = {"total": table.total}
    if table.total is not None:
        report.values.append(("文件所述总分", table.total, table.total_where))
        total = sum((v for v in scores.values() if v is not None), Decimal(0))
        if total != table.total:
            report.warn(f"文件所述总分 {table.total} 与各项自评分之和 {total} 不一致")
    else:
        report.unmatched.append("评分表中没有读到总分")
    grade = _grade(doc)
    if grade:
        stated["grade"] = grade[0]
        report.values.append(("文件所述等级", grade[0], grade[1]))
    data["stated"] = stated


def _found(table):
    out = []
    for leaf in table.leaves():
        path = _path(table.roots, leaf)
        out.append((tuple(p.name for p in path), leaf))
    return out


def _path(roots, target):
    for r in roots:
        if r is target:
            return [r]
        sub = _path(r.children, target)
        if sub:
            return [r] + sub
    return []


def _grade(doc: Document):
    for t in doc.tables:
        for row in t.rows:
            cells = [clean(c) for c in row.cells if clean(c)]
            if len(cells) >= 2 and re.match(r"^(评价等次|评价等级|等级|等次)$", key(cells[0])):
                return cells[1], row.where
    for line in doc.lines:
        m = _GRADE.search(line.text)
        if m:
            return m.group(1), line.where
    return None


def _project_table(doc, framework, table_no, data, report) -> None:
    """Project self-evaluation forms (预算支出绩效自评表): one per project; --table N picks the project."""
    forms = find_target_forms(doc)
    if not forms:
        report.unmatched.append("未找到项目支出绩效自评表（含“一级指标、二级指标、年度指标值、实际完成值、分值”表头的表）")
        return
    for k, f in enumerate(forms, start=1):
        report.found.append(f"项目自评表 {k}：{f.name or '未写项目名称'}（{f.name_where or f.where}）")
    if len(forms) > 1 and table_no is None:
        report.warn(f"文件中有 {len(forms)} 张项目自评表，本次使用第 1 张；用 --table N 选择其他表")
    form = forms[min(max(table_no or 1, 1), len(forms)) - 1]
    data["meta"]["name"] = form.name or data["meta"]["name"]
    if form.unit and data["meta"]["unit"].startswith("（待填"):
        data["meta"]["unit"] = form.unit
        report.values.append(("单位名称（主管部门）", form.unit, form.unit_where))
    data["form"] = form  # the rows the figures are read from (removed before writing)
    funds = next((x for x in framework.leaves() if not x.slot), None)
    score = form.funds_number("得分")
    data["self_scores"] = {funds.id: score} if funds else {}
    if funds:
        report.matched.append((funds.id, funds.name, score, f"{form.funds_where}（年度资金总额行的“得分”）"))
        if score is None:
            report.unmatched.append(f"{funds.id} {funds.name}：年度资金总额行没有读到得分")
    data["stated"] = {"total": form.total_score}
    report.values.append(("文件所述总分", form.total_score, form.total_where))
    rate = form.funds.get("执行率", "")
    if rate:
        data["stated"]["values"] = [{"name": "执行率", "value": rate, "metric": "项目预算执行率", "where": form.funds_where}]
    data["targets"] = _targets(form, framework, report)
    for note in form.notes:
        report.warn(note)


def _targets(form, framework, report) -> dict:
    """The form's 三级 rows under the framework's slots, matched by 一级 / 二级 names."""
    slots = [n for n in framework.nodes() if n.slot is not None]
    found = [((g.name, c.name), c) for g in form.groups for c in g.children]
    matches, missing, extra = match_leaves(slots, found)
    targets = {}
    for m in matches:
        rows = []
        for k, r in enumerate(m.item.rows, start=1):
            row = {"id": f"{m.framework_id}.{k}", "name": r.name or "（三级指标未填）", "target": r.target or None,
                   "actual": r.actual or None, "weight": r.weight, "self_score": r.score, "note": r.note}
            rows.append({k2: v for k2, v in row.items() if v not in (None, "")})
            report.matched.append((row["id"], f"{m.framework_name} / {row['name']}",
                                   f"{r.target or '—'} → {r.actual or '—'}，分值 {r.weight if r.weight is not None else '—'}，"
                                   f"得分 {r.score if r.score is not None else '—'}", r.where))
        targets[m.framework_id] = rows
    for n in missing:
        report.unmatched.append(f"{n.id} {n.name}：自评表中没有这一二级指标")
    for path, category in extra:
        report.unmatched.append(f"自评表中的“{' / '.join(path)}”（{category.where}）未对应到指标体系中的任何二级指标，"
                                f"其下 {len(category.rows)} 行未录入")
    return targets


def _stated_values(doc: Document, data: dict, report: Report, framework: Framework) -> None:
    """Rates stated in the text, with their line (paragraph, or page and line), and the metric they name
    when the name is a metric's id or label (so review compares them with the figures)."""
    metrics: dict[str, str | None] = {}
    for name, metric in framework.metric_set.metrics.items():
        for k in {key(name), key(metric.label)}:
            metrics[k] = name if metrics.get(k, name) == name else None  # a label two metrics share: none
    values, seen, previous = [], set(), ""
    for line in doc.lines:
        text = half_width(line.text).replace("％", "%")
        for m in _RATE.finditer(text):
            name, value = m.group(1).strip("“”\""), m.group(2).replace(" ", "")
            if m.start() == 0 and doc.kind == "pdf":  # a name broken over two printed lines
                head = re.search(r"[\u4e00-\u9fa5“”\"]+$", previous)
                name = (head.group(0)[-(16 - len(name)):] if head and len(name) < 16 else "") + name
                name = name.strip("“”\"")
            if name.count("”") > name.count("“"):  # the opening quote was cut off: “三公”经费控制率
                name = "“" + name
            if (name, value, line.where) in seen:
                continue
            seen.add((name, value, line.where))
            value_entry = {"name": name, "value": value}
            if metrics.get(key(name)):
                value_entry["metric"] = metrics[key(name)]
            values.append({**value_entry, "where": line.where})
            report.values.append((name + (f"（指标 {value_entry['metric']}）" if "metric" in value_entry else ""),
                                  value, line.where))
        previous = text
    if values:
        data.setdefault("stated", {}).setdefault("values", []).extend(values)


def _tables(doc: Document, data: dict, report: Report, kind: str, form) -> None:
    """Basic-data tables (收支、三公、人员、季度执行) of this subject: each printed table copied with its column
    headers and the row each line came from; score and target tables, project lists and "label value"
    forms are not (nor, for a project's form, the other projects' tables)."""
    out = []
    for n, block, why in data_blocks(doc, kind, form.covers if form else None):
        n += 1
        if why or not block.headers or any(c.pair_label for c in block.cells()):
            continue
        width = max(len(r.cells) for r in block.rows)
        columns = [label or f"第{i + 2}列" for i, label in enumerate(block.column_labels(width)[1:])]
        rows, percent = [], False
        for row in block.rows:
            cells = [clean(c) for c in row.cells] + [""] * (width - len(row.cells))
            parsed = [amount(c) for c in cells[1:]]
            percent = percent or any(p and p[1] == "%" for p in parsed)
            values = [p[0] if p and p[1] != "%" else None for p in parsed]
            if any(v is not None for v in values):
                rows.append({"name": cells[0] or next((c for c in cells if c and not amount(c)), ""), "values": values,
                             "note": f"出处：{row.where}"})
        if len(rows) < 2:
            continue
        title = next((t for t in block.titles if not t.startswith("单位")), "") or f"第{n}张表"
        units = {m.group(1) for m in UNIT.finditer(half_width(block.context()))}
        out.append({"id": f"t{n}", "title": title, "unit": units.pop() if len(units) == 1 else "",
                    "columns": columns, "rows": rows,
                    "source": block.where + ("（百分比列未录入）" if percent else "")})
        report.values.append((f"表格“{title}”", f"{len(rows)} 行", block.where))
    if out:
        data["tables"] = out
        report.warn("基础数据表已原样录入 tables（单位请核对）；能认出的数已录入 figures 并注明出处（见“基础数据”），"
                    "其余评分所需的基础数据须按表人工对应填写")
