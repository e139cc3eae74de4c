"""The 复核意见书 as data: a review opinion a consultant can sign, built only from the serialised
assessment (AssessmentRecord) — conclusion, basis, coverage, findings with actions, the 补证清单 and
the signature block filled from the engagement settings (待填 where missing). opinion_html.py renders it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..review.findings import severity_counts
from ..assess.record import AssessmentRecord, FindingRecord
from ..core.numbers import fmt_amount
from ..model.engagement import PLACEHOLDER
from ..model.subject import scorer_label
from ..review.findings import ACTIONS
from . import frame
from .wording import reader_text, sentence, with_labels

# What was reviewed, by who gave the filed scores (meta.scorer).
REVIEWED_WORK = {"单位自评": "绩效自评", "第三方评价": "第三方绩效评价", "财政评价": "财政绩效评价"}
FILE_STEM = "复核意见书"
_MISSING_FIGURE = re.compile(r"缺少数据“([^”]+)”")


@dataclass
class FindingRow:
    number: int
    severity: str
    category: str
    subject: str  # the indicator or figure, as a reader names it
    places: list[str]
    claimed: str
    recomputed: str
    effect: str
    action: str
    message: str


@dataclass
class EvidenceItem:
    number: int
    subject: str
    filed: str
    needed: str


@dataclass
class Opinion:
    title: str
    addressee: str
    opening: str
    basis: list[str]
    method: list[str]
    conclusion: list[str]
    readings: list[tuple[str, str, str]]  # (description, total, grade)
    readings_text: str
    scope: str
    coverage_text: str
    adopted_intro: str
    adopted: list[tuple[str, str, str]]  # (indicator, points, reason)
    findings_text: str
    findings: list[FindingRow]
    evidence_intro: str
    evidence: list[EvidenceItem]
    signature: dict[str, str]
    filed: str  # 自评分 / 评价机构评分 / 财政评价评分
    notes: list[str] = field(default_factory=list)


def points(value: Decimal | None) -> str:
    return "—" if value is None else f"{fmt_amount(value)}分"


def change(value: Decimal | None) -> str:
    if value is None or value == 0:
        return "不变"
    return f"{'增加' if value > 0 else '减少'}{fmt_amount(abs(value))}分"


def grade_text(grade: str | None) -> str:
    return f"“{grade}”" if grade else "（未定级）"


def _labels(ev: AssessmentRecord) -> dict[str, str]:
    return {name: f.label for name, f in ev.figures.items() if getattr(f, "label", None)}


def _text(ev: AssessmentRecord, text: str | None) -> str:
    return with_labels(reader_text(text), _labels(ev))


def _leaf_paths(ev: AssessmentRecord) -> dict[str, str]:
    """' / '-joined indicator path -> the leaf's own name."""
    return {" / ".join(leaf.node.path): leaf.node.name for leaf in ev.leaf_list()}


def _is_number(text: str | None) -> bool:
    try:
        Decimal(str(text))
    except (InvalidOperation, ValueError):
        return False
    return True


def _place(text: str) -> str:
    """Where a finding appears, without the editor's note that may follow the location."""
    return reader_text(text.split("。", 1)[0])


def _value(ev: AssessmentRecord, f: FindingRecord, value: str | None) -> str:
    if value is None or value == "":
        return "—"
    if f.indicator in _leaf_paths(ev) and _is_number(value):
        return f"{fmt_amount(Decimal(value))}分"  # a score of the score table
    return _text(ev, value)


def _effect(f: FindingRecord, filed: str) -> str:
    parts = []
    if f.effect_indicator is not None:
        parts.append(f"指标得分{change(f.effect_indicator)}")
    if f.effect_total is not None:
        parts.append(f"合计{change(f.effect_total)}")
    if parts:
        return "；".join(parts + ([f.effect_grade] if f.effect_grade else []))
    if f.action == "补证":
        return f"暂采用{filed}，待补证后确定"
    return "不影响得分"


def finding_rows(ev: AssessmentRecord) -> list[FindingRow]:
    names, filed = _leaf_paths(ev), scorer_label(ev.meta)
    rows = []
    for i, f in enumerate(ev.findings, 1):
        places = [names.get(p) or _place(p) for p in f.places] or (["评分表"] if f.indicator in names else [])
        rows.append(FindingRow(i, f.severity, _text(ev, f.category), names.get(f.indicator) or _text(ev, f.indicator),
                               places, _value(ev, f, f.claimed), _value(ev, f, f.recomputed), _effect(f, filed),
                               f.action, sentence(_text(ev, f.message))))
    return rows


def _needed(ev: AssessmentRecord, f: FindingRecord) -> str:
    """What the unit must provide for a 补证 finding."""
    reason = str((f.trace or {}).get("reason") or "")
    labels = _labels(ev)
    missing = [labels.get(k, k) for k in _MISSING_FIGURE.findall(reason)]
    if missing:
        return f"提供{'、'.join(dict.fromkeys(missing))}的数据及其出处（报表、预算批复或台账）"
    if "评价要点核查结果" in reason:
        return "提供各评价要点逐项满足情况的核查资料，不符合的列明事项"
    return sentence(_text(ev, f.message))


def evidence_items(ev: AssessmentRecord) -> list[EvidenceItem]:
    names = _leaf_paths(ev)
    found = [f for f in ev.findings if f.action == "补证"]
    return [EvidenceItem(i, names.get(f.indicator) or _text(ev, f.indicator), _value(ev, f, f.claimed), _needed(ev, f))
            for i, f in enumerate(found, 1)]


def _conclusion(ev: AssessmentRecord, filed: str) -> list[str]:
    out = []
    filed_grade = ev.stated_grade or ev.self_grade
    if ev.self_total is None:
        out.append(f"单位未报送{filed}。")
    else:
        out.append(f"{ev.meta.unit}{filed}合计{points(ev.self_total)}，等级为{grade_text(filed_grade)}。")
    if ev.stated_total is not None and ev.self_total is not None and ev.stated_total != ev.self_total:
        out.append(f"单位报告所述总分为{points(ev.stated_total)}，与评分表各项{filed}之和{points(ev.self_total)}不一致。")
    reviewed = f"经复核，合计{points(ev.total)}，等级为{grade_text(ev.grade)}"
    if ev.self_total is not None:
        diff = ev.total - ev.self_total
        reviewed += (f"，较{filed}合计{change(diff)}" if diff else f"，与{filed}合计相同")
        reviewed += "，等级不变" if ev.grade == filed_grade else f"，等级由{grade_text(filed_grade)}变为{grade_text(ev.grade)}"
    out.append(reviewed + "。")
    bands = "，".join(f"{g}{d}" for g, d in ev.grades)
    if bands:
        out.append(f"等级按指标体系划分：{bands}（分）。")
    return out


def _readings_text(ev: AssessmentRecord) -> str:
    if not ev.readings:
        return "指标体系的评分标准未列出其他解读口径，复核等级按上述评分标准确定。"
    other = [(desc, grade) for _, desc, _, grade in ev.readings if grade != ev.grade]
    if not other:
        return (f"在上述{len(ev.readings)}种解读口径下等级均为{grade_text(ev.grade)}，"
                "复核等级结论不因评分口径不同而改变。")
    listed = "；".join(f"按“{d}”等级为{grade_text(g)}" for d, g in other)
    return f"{listed}。等级结论取决于评分口径，须待单位说明所用口径后确定。"


def _coverage(ev: AssessmentRecord, filed: str) -> tuple[str, str, list[tuple[str, str, str]]]:
    cov = ev.coverage or {}
    if not cov:
        return "评价结果中未记录复核覆盖情况。", "", []
    parts = [f"按单位填报数据复算{points(cov.get('recomputed'))}", f"由评价人员判断{points(cov.get('judged'))}",
             f"采用{filed}{points(cov.get('adopted'))}"]
    if cov.get("unscored"):
        parts.append(f"未评分{points(cov['unscored'])}")
    text = f"复核后合计所依据的各项分值共{points(cov.get('total'))}，其中：" + "，".join(parts) + "。"
    items = cov.get("adopted_items") or []
    names = _leaf_paths(ev)
    adopted = [(names.get(i["indicator"]) or _text(ev, i["indicator"]), points(i.get("points")), sentence(_text(ev, i["reason"])))
               for i in items]
    intro = (f"以下{len(items)}项指标不能由数据复算，也未由评价人员评分，复核后合计暂采用{filed}，"
             "待单位补充资料后再行复核：" if items else f"全部指标均已复算或由评价人员评分，未采用{filed}。")
    return text, intro, adopted


def _findings_text(ev: AssessmentRecord) -> str:
    if not ev.findings:
        return "复核未发现问题。"
    sev = severity_counts(ev.findings)
    act = {a: sum(1 for f in ev.findings if f.action == a) for a in ACTIONS}
    return (f"复核共发现问题{len(ev.findings)}项，其中" + "、".join(f"{s}{n}项" for s, n in sev.items() if n)
            + "；需单位" + "、".join(f"{a}{n}项" for a, n in act.items() if n and a != "仅提示")
            + (f"，仅作提示{act['仅提示']}项" if act["仅提示"] else "") + "。"
            "错误指改变指标得分、合计或超出所列数据舍入范围的差异；警告指取决于评分口径或需单位说明的事项；"
            "提示指所列数据舍入范围内的差异。")


def build_opinion(ev: AssessmentRecord) -> Opinion:
    e = frame.engagement(ev)
    filed = scorer_label(ev.meta)
    work = REVIEWED_WORK.get(ev.meta.scorer, "绩效自评")
    name = frame.object_name(ev)
    firm, client = frame.filled(e.get("firm")), frame.filled(e.get("client"))
    dates = e.get("dates") or {}
    fw = ev.framework_meta
    leaves = [leaf for leaf in ev.leaf_list() if leaf.applicable]
    basis = list(e.get("basis") or []) or [PLACEHOLDER]
    basis.append(f"指标体系：“{fw.name}”，满分{points(fw.total)}")
    method = [
        f"复核按指标体系所列评分标准，以单位填报的基础数据逐项复算得分；核对单位报告所述数值与报表数据、"
        f"分项与合计、各处所列同一数据；不能由数据复算的指标，由评价人员判断，或暂采用{filed}并列明原因。",
        f"复核工作自{frame.filled(dates.get('start'))}开始，至{frame.filled(dates.get('end'))}结束。",
    ]
    own = name[len(ev.meta.unit):] if ev.meta.unit and name.startswith(ev.meta.unit) else name
    scope = (f"复核对象为{ev.meta.unit}报送的{own}{work}资料：评分表所列{len(leaves)}项末级指标的{filed}，"
             "以及单位报告正文和所附报表中的数据。")
    coverage_text, adopted_intro, adopted = _coverage(ev, filed)
    evidence = evidence_items(ev)
    return Opinion(
        title=f"关于{name}{work}的复核意见书",
        addressee=f"{client}：",
        opening=f"受贵单位委托，{firm}对{name}{work}结果进行了复核。现将复核意见报告如下。",
        basis=basis, method=method, conclusion=_conclusion(ev, filed),
        readings=[(d, points(t), g or "—") for _, d, t, g in ev.readings], readings_text=_readings_text(ev),
        scope=scope, coverage_text=coverage_text, adopted_intro=adopted_intro, adopted=adopted,
        findings_text=_findings_text(ev), findings=finding_rows(ev),
        evidence_intro=(f"以下{len(evidence)}项需单位补充数据或佐证资料，补证后据实复核得分：" if evidence
                        else "本次复核无需单位补证的事项。"),
        evidence=evidence, signature=frame.signature(ev), filed=filed)
