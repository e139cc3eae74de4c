"""The frame of the deliverable (财预〔2020〕10号 附3): cover, 目录, 二、评价工作开展情况 and the
signature page, filled from the engagement settings; whatever is missing shows as 待填."""
from __future__ import annotations

from typing import Any

from ..assess.record import AssessmentRecord
from ..core.numbers import fmt
from ..model.engagement import PLACEHOLDER

CHAPTERS = ["一、基本情况", "二、评价工作开展情况", "三、综合评价结论", "四、评价指标分析",
            "五、主要经验及做法、存在的问题及原因", "六、有关建议", "七、其他需要说明的问题"]
TITLE_TAILS = ("绩效自评复核报告", "绩效评价报告", "绩效自评报告", "绩效自评", "绩效评价", "自评")


def engagement(ev: AssessmentRecord) -> dict[str, Any]:
    return ev.engagement or {}


def filled(value) -> str:
    return value if value else PLACEHOLDER


def report_kind(ev: AssessmentRecord) -> str:
    """自评复核 or 第三方评价 as the engagement says; a report without one is a 绩效评价报告."""
    return engagement(ev).get("report_type") or ""


def object_name(ev: AssessmentRecord) -> str:
    """Unit + object without any report word ('君山区行政审批服务局2021年度部门整体支出')."""
    meta = ev.meta
    name = meta.name.replace(" ", "") if meta.name else ""
    changed = True
    while changed:
        changed = False
        for tail in TITLE_TAILS:
            if name.endswith(tail):
                name, changed = name[: -len(tail)], True
    if meta.unit and not name.startswith(meta.unit):
        name = meta.unit + name
    return name


def title_of(ev: AssessmentRecord) -> str:
    """Unit + object + one report word, never '…绩效自评绩效评价报告'."""
    return object_name(ev) + ("绩效自评复核报告" if report_kind(ev) == "自评复核" else "绩效评价报告")


def cover(ev: AssessmentRecord) -> dict[str, Any]:
    e = engagement(ev)
    dates = e.get("dates") or {}
    return {"title": title_of(ev), "stage": filled(e.get("stage")),
            "rows": [("委托方", filled(e.get("client"))), ("评价机构", filled(e.get("firm"))),
                     ("报告日期", filled(dates.get("report")))],
            "total": ev.total, "grade": ev.grade}


def toc() -> list[str]:
    return CHAPTERS + ["附件"]


def work(ev: AssessmentRecord, method_counts: dict[str, int], leaf_count: int, root_count: int) -> dict[str, Any]:
    """二、评价工作开展情况: purpose and scope, basis, method, process, team — the review's own."""
    e = engagement(ev)
    meta, fw = ev.meta, ev.framework_meta
    year = f"{meta.year}年度" if meta.year else ""
    kind = "部门整体支出" if meta.kind == "部门整体" else "项目支出"
    review = report_kind(ev) == "自评复核"
    purpose = (f"受{filled(e.get('client'))}委托，{filled(e.get('firm'))}对{meta.unit}{year}{kind}"
               + ("绩效自评结果进行复核" if review else "开展绩效评价")
               + "，了解资金使用和履职产出效果，发现预算管理中存在的问题，为改进管理和安排预算提供参考。"
               + f"评价对象为{meta.unit}{meta.name.replace(' ', '')}，评价范围为该年度纳入预算管理的全部收支。")
    basis = list(e.get("basis") or []) or [PLACEHOLDER]
    method = e.get("method") or PLACEHOLDER
    scoring = (f"本次评价采用“{fw.name}”，设一级指标{root_count}个、末级指标{leaf_count}个，满分"
               f"{fmt(fw.total)}分。各项得分按指标体系所列评分标准，依据单位填报并经核对的基础数据逐项计算；"
               "不能由数据计算的指标，由评价人员判断或暂按单位自评分计列，并在指标分析中逐项说明。"
               + "评分方式：" + "，".join(f"{k}{v}项" for k, v in method_counts.items()) + "。")
    dates = e.get("dates") or {}
    process = (f"评价工作自{filled(dates.get('start'))}开始，至{filled(dates.get('end'))}结束，"
               "经前期准备（明确评价对象、指标体系和资料清单）、资料收集与数据核对、逐项评分与复核、"
               "撰写评价报告四个阶段。")
    team = [(m.get("name") or PLACEHOLDER, m.get("role") or PLACEHOLDER) for m in (e.get("team") or [])]
    return {"purpose": purpose, "basis": basis, "method": method, "scoring": scoring, "process": process,
            "team": team or [(PLACEHOLDER, PLACEHOLDER)], "lead": filled(e.get("lead_evaluator"))}


def signature(ev: AssessmentRecord) -> dict[str, str]:
    e = engagement(ev)
    return {"lead": filled(e.get("lead_evaluator")), "firm": filled(e.get("firm")),
            "date": filled((e.get("dates") or {}).get("report"))}
