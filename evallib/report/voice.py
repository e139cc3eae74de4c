"""The reviewer's own text (第三方口径): conclusion, experience, problems tied to indicators and
figures, suggestions tied to problems. The unit's own statements appear only in `unit_statements`,
quoted under 单位自述."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..assess.record import AssessmentRecord, LeafRecord
from ..core.numbers import fmt_amount, fmt_percent
from .wording import reader_text, sentence

# What the reviewer recommends for a problem, by the words of its indicator or finding category.
ADVICE = [
    (("执行率", "支出进度", "序时"), "加强预算执行管理，按序时进度安排支出，对执行偏慢的项目逐月跟踪、及时调整"),
    (("结转", "结余"), "加强结转结余资金管理，年中及时清理、按规定交回，减少资金沉淀"),
    (("编外", "人员控制", "供养人员", "在职人员"), "严格执行机构编制管理规定，控制编外人员规模，按编制核定人员"),
    (("三公", "公用经费"), "严控“三公”经费和日常公用经费支出，按预算标准执行"),
    (("采购",), "按政府采购预算执行采购，提高采购计划的准确性"),
    (("资产",), "完善资产管理制度，及时登记、调拨和处置资产，做到账实相符"),
    (("满意度",), "按规定开展服务对象满意度调查，保留问卷和统计资料"),
    (("目标", "绩效指标"), "细化量化绩效目标和指标，设置可衡量的指标值，与年度任务和预算相对应"),
    (("分项与合计不符", "所述数值与数据不符", "两处不一致", "舍入"), "加强报表和报告数据的核对，确保各表之间、报告与报表之间数据一致"),
    (("得分与规则不符", "合计不符"), "严格按评分标准自评打分，逐项写明得分依据和扣分原因"),
]
DEFAULT_ADVICE = "对照评分标准查找扣分原因，制定整改措施，并在下一年度自评中说明整改结果"


@dataclass
class Problem:
    title: str  # the indicator or data item it concerns
    text: str  # what was found, with its figures
    cause: str
    advice: str


def _scored(leaf: LeafRecord) -> bool:
    return leaf.applicable and leaf.score is not None


def advice_for(*words: str) -> str:
    text = "".join(words)
    for keys, advice in ADVICE:
        if any(k in text for k in keys):
            return advice
    return DEFAULT_ADVICE


def deduction_problem(leaf: LeafRecord) -> Problem:
    name = leaf.node.name
    head = f"{name}（分值{fmt_amount(leaf.weight)}分）得{fmt_amount(leaf.score)}分，扣{fmt_amount(leaf.lost)}分"
    if leaf.source == "采用自评分":
        cause = "单位自评已扣分；本次评价未能由数据复算该项，暂按自评分计列，单位未说明扣分的具体事项"
    else:
        cause = reader_text(leaf.trace.result)
    return Problem(name, sentence(head), sentence(cause), advice_for(name, leaf.node.path[0]))


def problems(ev: AssessmentRecord) -> list[Problem]:
    out = [deduction_problem(l) for l in ev.leaf_list() if _scored(l) and l.lost > 0]
    for f in ev.findings:
        if f.severity in ("错误", "警告"):
            out.append(Problem(reader_text(f.indicator), sentence(reader_text(f.message)),
                               sentence(f"属{f.category}，反映单位报告编制和数据核对不够严谨"),
                               advice_for(f.category, f.indicator)))
    return out


def suggestions(ev: AssessmentRecord, found: list[Problem]) -> list[dict[str, Any]]:
    """One suggestion per kind of advice, naming the problems (by number) it answers."""
    grouped: dict[str, list[int]] = {}
    for i, p in enumerate(found, 1):
        grouped.setdefault(p.advice, []).append(i)
    unit = ev.meta.unit
    return [{"text": sentence(f"建议{unit}{advice}"), "answers": numbers,
             "answers_text": "针对问题" + "、".join(f"（{n}）" for n in numbers)}
            for advice, numbers in grouped.items()]


def experience(ev: AssessmentRecord) -> list[str]:
    """What went well, by 一级指标: indicators recomputed from data at full marks."""
    out = []
    for root in ev.roots:
        full = [ev.leaves[n.id] for n in root.walk() if n.id in ev.leaves]
        full = [l for l in full if _scored(l) and l.lost == 0 and l.source != "采用自评分" and l.weight > 0]
        if full:
            names = "、".join(l.node.name for l in full[:6]) + ("等" if len(full) > 6 else "")
            out.append(f"{root.name}方面，{names}{len(full)}项指标经数据复算或评价人员核查得满分，相关管理较为规范。")
    return out


def conclusion(ev: AssessmentRecord, sections) -> list[str]:
    """三、综合评价结论 in the reviewer's words."""
    meta = ev.meta
    year = f"{meta.year}年度" if meta.year else ""
    total = fmt_amount(ev.total)
    text = [f"经评价，{meta.unit}{year}{'部门整体支出' if meta.kind == '部门整体' else meta.name}"
            f"绩效综合得分为{total}分，评价等级为“{ev.grade or '—'}”。"]
    if ev.self_total is not None:
        diff = ev.total - ev.self_total
        change = "调减" if diff < 0 else "调增" if diff > 0 else "未调整"
        text.append(f"单位自评得分{fmt_amount(ev.self_total)}分（{ev.self_grade or '—'}），本次评价{change}"
                    + (f"{fmt_amount(abs(diff))}分" if diff else "")
                    + ("，等级不变。" if ev.self_grade == ev.grade else f"，等级由“{ev.self_grade}”变为“{ev.grade}”。"))
    rated = [s for s in sections if s.rate is not None]
    if rated:
        low = min(rated, key=lambda s: s.rate)
        high = max(rated, key=lambda s: s.rate)
        text.append(f"分指标看，{high.name}得分率最高（{fmt_percent(high.rate)}），"
                    f"{low.name}得分率最低（{fmt_percent(low.rate)}）。")
    lost = sorted((l for l in ev.leaf_list() if _scored(l) and l.lost > 0), key=lambda l: -l.lost)[:3]
    if lost:
        text.append("扣分主要集中在" + "、".join(f"{l.node.name}（扣{fmt_amount(l.lost)}分）" for l in lost) + "。")
    errors = sum(1 for f in ev.findings if f.severity == "错误")
    if errors:
        text.append(f"评价中发现单位报告和报表存在{errors}处数据或计分错误，详见第五部分。")
    return text


def unit_statements(ev: AssessmentRecord) -> dict[str, list[str]]:
    """The unit's own text, quoted as 单位自述 (never as the reviewer's)."""
    n = ev.narrative
    return {"问题": list(n.存在问题), "建议": list(n.改进建议)}


def other_notes(ev: AssessmentRecord) -> list[str]:
    """七、其他需要说明的问题: limits of the evidence and alternative readings of the rules."""
    out = []
    self_used = [l.node.name for l in ev.leaf_list() if l.source == "采用自评分"]
    if self_used:
        out.append(f"{len(self_used)}项指标因缺少逐项核查结果或基础数据，无法由数据复算，暂按单位自评分计列："
                   + "、".join(self_used) + "。单位补充资料后应重新评分。")
    for _, description, total, grade in ev.readings:
        out.append(f"评分标准存在不同理解：{reader_text(description)}。按此理解，综合得分为{fmt_amount(total)}分（{grade or '—'}）；"
                   "本报告采用指标体系的默认理解。")
    if not ev.engagement:
        out.append("本次评价的委托方、评价机构、评价人员和日期等业务信息尚未填写，报告中以“待填”标出。")
    return out
