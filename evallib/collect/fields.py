"""The data-collection template's layout, derived from a framework: which cells a department fills.

Shared by the template writer (template.py) and the reader (importer.py), so both agree on every key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..model.framework import Framework
from ..core.numbers import ZERO, fmt
from ..rules import parse_rule
from ..rules.composite import CompositeRule
from ..rules.evidence import ChecklistRule, ConversionRule, JudgementRule, NotApplicableRule
from ..rules.targets import TargetCompletionRule
from ..rules.trend import TrendRule
from ..model.catalogue import catalogue_for
from ..model.needs import needed_figures

TEMPLATE_VERSION = 2  # 2: 项目清单, 报表, 文件所述数值, 情况说明 and 其他输入 added

SHEET_README, SHEET_META, SHEET_FIGURES, SHEET_INPUTS, SHEET_SELF = "说明", "基本信息", "基础数据", "指标输入", "自评分"
SHEET_PROJECTS, SHEET_TABLES, SHEET_STATED, SHEET_NARRATIVE, SHEET_OTHER = (
    "项目清单", "报表", "文件所述数值", "情况说明", "其他输入")
CORE_SHEETS = [SHEET_README, SHEET_META, SHEET_FIGURES, SHEET_INPUTS, SHEET_SELF]
SECTION_SHEETS = [SHEET_PROJECTS, SHEET_TABLES, SHEET_STATED, SHEET_NARRATIVE, SHEET_OTHER]  # since version 2

YES, NO = "是", "否"
NOT_FILED = "原评价对象文件未提供此数据"

# 基本信息: key, label, hint, required
META_FIELDS = [
    ("id", "评价对象编号", "英文字母、数字、-、_ 或 .，以字母或数字开头，如 003-futian-2021-dept；用作输出文件夹名", True),
    ("unit", "单位", "被评价单位全称", True),
    ("name", "评价对象", "如：2021年度部门整体支出", True),
    ("kind", "评价类型", "部门整体 或 项目支出（由指标体系决定）", True),
    ("year", "年度", "四位整数，如 2021", False),
    ("region", "地区", "", False),
    ("evaluator", "评价机构", "", False),
    ("framework", "指标体系编号", "由模板生成，请勿修改", True),
    ("data_date", "数据截止日期", "如 2022-03-31", False),
    ("source", "资料来源", "", False),
    ("note", "备注", "", False),
]

KIND_TEXT = {"money": "非负数", "count": "非负整数", "ratio": "0%–100% 之间的百分比", "number": "数字"}

# 指标输入 columns
INPUT_HEADERS = ["输入编号（勿改）", "指标", "填写项", "填写内容", "填写要求", "原文照录"]
TARGET_HEADERS = ["所属指标（勿改）", "目标编号", "指标名称", "分值", "年度指标值", "实际完成值", "自评分",
                  "评价人员评分", "得分依据", "偏差原因及改进措施", "原文照录"]
TARGET_KEYS = ["slot", "id", "name", "weight", "target", "actual", "self_score", "score", "evidence", "note", "verbatim"]
TARGET_MARK = "【绩效目标表】"
SELF_HEADERS = ["指标编号（勿改）", "层级", "指标", "分值", "自评分", "文件所述小计", "原文照录"]
TOTAL_KEY, GRADE_KEY = "【总分】", "【等级】"
# A self-score cell holding one of these: the document lists the indicator but prints no score (YAML null).
NO_VALUE_MARKS = ("—", "-", "－", "–", "——")
NO_VALUE = "—"

# 项目清单: key, header, kind (text / money / score), width
PROJECT_COLUMNS = [
    ("name", "项目名称（必填）", "text", 34),
    ("category", "类别", "text", 12),
    ("initial_budget", "年初预算数（万元）", "money", 14),
    ("budget", "调整后预算数（万元）", "money", 14),
    ("executed", "执行数（万元）", "money", 14),
    ("returned", "结余交回（万元）", "money", 14),
    ("self_score", "自评分", "score", 9),
    ("goal", "绩效目标", "text", 40),
    ("result", "完成情况", "text", 40),
]

# 报表: one block per table; its first four rows are keyed in column B
TABLE_MARK = "【报表】"
TABLE_FIELDS = [("id", "报表编号（必填）"), ("title", "报表名称（必填）"), ("unit", "单位"), ("source", "资料来源")]
TABLE_ROW_HEADERS = ["层级", "行名称", "对应数据项编号", "备注", "其中列示"]  # then one column per 栏目
TABLE_FIRST_VALUE_COLUMN = len(TABLE_ROW_HEADERS) + 1
MAX_TABLE_LEVEL = 9

# 文件所述数值
STATED_COLUMNS = [("name", "名称（必填）", 30), ("value", "文件所列数值（照录，必填）", 18),
                  ("metric", "对应指标或数据项", 26), ("where", "出处", 50)]

# 情况说明: key, label, is a list, hint
NARRATIVE_FIELDS = [
    ("职能", "部门（单位）职能", False, "照录文件所述主要职能"),
    ("机构", "机构设置及人员", False, "内设机构、编制和实有人数等"),
    ("年度工作", "年度主要工作", False, "年度主要工作任务及资金安排"),
    ("绩效目标", "绩效目标", False, "年度总体绩效目标"),
    ("评价工作", "评价工作开展情况", False, "评价组织、方法、时间"),
    ("履职成效", "履职成效", False, "目标完成情况、取得的成效"),
    ("存在问题", "存在问题", True, "每行一条；不够可在下方插入行（A列照抄“存在问题”）"),
    ("改进建议", "改进建议", True, "每行一条；不够可在下方插入行（A列照抄“改进建议”）"),
]

# 其他输入: inputs kept verbatim that no other cell carries
OTHER_HEADERS = ["指标编号", "键（多级用“/”分隔）", "值", "值的类型"]
VALUE_TYPES = {"text": "文字", "number": "数字", "bool": "是非", "null": "空", "yaml": "YAML"}


@dataclass
class InputField:
    key: str  # "A11|met:1", "B22/制度执行|score"
    node_id: str
    parts: tuple[str, ...]  # composite part names leading to the sub-rule
    kind: str  # point / violations / score / level / outside_score / evidence / target / actual
    label: str  # 填写项
    hint: str  # 填写要求
    item: str | None = None  # checklist point id
    max: Decimal | None = None  # upper bound for numbers
    choices: list[str] = field(default_factory=list)
    indicator: str = ""  # path of the indicator, for people


def _ctx_key(node_id: str, parts: tuple[str, ...]) -> str:
    return "/".join((node_id,) + parts)


def rule_fields(node, rule, parts: tuple[str, ...], weight: Decimal, out: list[InputField]) -> None:
    path = " / ".join(node.path) + "".join(f"【{p}】" for p in parts)
    base = _ctx_key(node.id, parts)

    def add(kind, label, hint, **kw):
        suffix = kind if kw.get("item") is None else f"{kind}:{kw['item']}"
        out.append(InputField(f"{base}|{suffix}", node.id, parts, kind, label, hint, indicator=path, **kw))

    if isinstance(rule, CompositeRule):
        for part in rule.parts:
            rule_fields(node, part.rule, parts + (part.name,), part.points, out)
        return
    full = rule.full_marks(weight)
    if isinstance(rule, ChecklistRule):
        for item in rule.items:
            points = fmt(rule.item_points(item))
            add("point", f"要点{item.id}：{item.text}（{points}分）", "是否满足：填“是”或“否”（逐项填写或全部留空）",
                item=item.id, choices=[YES, NO])
        if rule.mode == "deduct":
            per = f"每例扣{fmt(rule.per_item)}分" if rule.per_item is not None else ""
            add("violations", "不符合（违规）例数", f"非负整数{('，' + per) if per else ''}；逐项填写要点时可留空")
        if rule.per_case is not None:
            add("cases", rule.accepted_inputs()["cases"], "非负整数；未发现填 0")
    elif isinstance(rule, JudgementRule):
        levels = "；".join(f"{lv.label}{fmt(lv.score)}分" for lv in rule.levels)
        add("score", "评价人员评分", f"0–{fmt(full)} 之间的数" + (f"（{levels}）" if levels else "") + "；纯自评时留空",
            max=full)
        if rule.levels:
            add("level", "评价档次", "可选：" + "、".join(lv.label for lv in rule.levels),
                choices=[lv.label for lv in rule.levels])
    elif isinstance(rule, ConversionRule):
        add("outside_score", f"{rule.outside_name}（满分{fmt(rule.outside_max)}）",
            f"0–{fmt(rule.outside_max)} 之间的数", max=rule.outside_max)
    elif isinstance(rule, TrendRule):
        for year in rule.years:
            add("series", f"{year}年{rule.measure}" + (f"（{rule.unit}）" if rule.unit else ""), "数字，照录文件所列数值",
                item=year)
    elif isinstance(rule, TargetCompletionRule):
        add("target", "年度指标值", "如 ≥120场、100%、≤30天、提升；不适用填“不适用”")
        add("actual", "实际完成值", "实测数值，如 96场、70%；不要照抄指标值")
        add("score", "评价人员评分（定性指标）", f"0–{fmt(full)} 之间的数；定量指标留空", max=full)
    else:
        return  # computed from 基础数据: nothing to fill but the 得分依据
    if parts:
        add("evidence", "得分依据", "文字：评分理由、核查材料")


def input_fields(framework: Framework) -> list[InputField]:
    out: list[InputField] = []
    for node in framework.nodes():
        if not node.is_leaf or node.rule is None or isinstance(node.rule, NotApplicableRule):
            continue
        rule_fields(node, node.rule, (), node.weight or ZERO, out)
        out.append(InputField(f"{node.id}|evidence", node.id, (), "evidence", "得分依据", "文字：评分理由、核查材料",
                              indicator=" / ".join(node.path)))
    return out


def slot_nodes(framework: Framework) -> list:
    return [n for n in framework.nodes() if n.slot is not None]


def slot_rule(framework: Framework, node):
    return parse_rule(node.slot.rule, str(framework.path), node.id)


def figure_rows(framework: Framework) -> list[tuple[str, object, bool]]:
    """(key, FigureSpec, needed by a rule) for every catalogue figure, needed ones first within each group."""
    catalogue = catalogue_for(framework.spec.figures)
    needed = set(needed_figures(framework))
    return [(key, spec, key in needed) for key, spec in catalogue.items()]


def self_rows(framework: Framework) -> list:
    """Framework nodes shown on 自评分 (target rows come from the subject and live on 指标输入)."""
    return list(framework.nodes())
