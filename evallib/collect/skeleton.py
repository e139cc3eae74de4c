"""Commented starting files: `evalbook new-framework` and `evalbook new-subject FRAMEWORK`."""
from __future__ import annotations

from pathlib import Path

from ..model.framework import Framework, load_framework
from ..model.needs import needed_figures
from ..core.writing import write_atomic

FRAMEWORK_SKELETON = """\
# 指标体系文件（evalbook）。逐字段说明见 docs/指标体系编写指南.md。
# 写好后运行：evalbook lint {file}
meta:
  id: {id}                 # 英文、数字、短横线组成的编号；评价对象文件用它引用本体系
  name: {name}
  region: {region}
  year: {year}
  kind: {kind}             # 部门整体 或 项目支出
  source: ""               # 出处（文件名、文号）
  total: 100               # 满分

grades:                    # 等级：下限含、上限不含；相邻档次不能有空档或重叠
  - {{grade: 优, min: 90}}
  - {{grade: 良, min: 80, max: 90}}
  - {{grade: 中, min: 60, max: 80}}
  - {{grade: 差, max: 60}}

indicators:                # 一级 → 二级 → 三级；下级分值之和须等于上级分值
  - id: "1"
    name: 投入
    weight: 20
    children:
      - id: "1.1"
        name: 预算配置
        weight: 20
        children:
          - id: "1.1.1"
            name: 在职人员控制率
            weight: 10
            definition: 在职人员控制率=（在职人员数/编制数）×100%。     # 指标说明，照录原文
            criteria: 在职人员控制率≤100%，计10分；每超过一个百分点扣0.5分，扣完为止。   # 评分标准，照录原文
            rule: {{type: deduct, input: 在职人员控制率, target: 100%, direction: above, per: 1%, points: 0.5}}
          - id: "1.1.2"
            name: 管理制度健全性
            weight: 10
            criteria: ①有内部财务管理制度5分；②制度得到有效执行5分。
            rule:
              type: checklist
              mode: earn
              items:
                - {{id: "1", text: 有内部财务管理制度, points: 5}}
                - {{id: "2", text: 制度得到有效执行, points: 5}}
  - id: "2"
    name: 效果
    weight: 80
    children:
      - id: "2.1"
        name: 履职效益
        weight: 80
        children:
          - id: "2.1.1"
            name: 社会效益
            weight: 70
            criteria: 根据部门履职效果酌情评分。
            rule: {{type: judgement}}
          - id: "2.1.2"
            name: 服务对象满意度
            weight: 10
            criteria: 满意度≥90%计10分；80%（含）-90%计6分；低于80%不得分。
            rule:
              type: bands
              input: 满意度
              bands:
                - {{min: 90%, score: 10}}
                - {{min: 80%, max: 90%, score: 6}}
                - {{max: 80%, score: 0}}
"""


def new_framework(path: Path, framework_id: str, name: str, region: str, year: int | None, kind: str) -> None:
    text = FRAMEWORK_SKELETON.format(file=path.name, id=framework_id, name=name, region=region or '""',
                                     year=year or "null", kind=kind)
    write_atomic(path, text.encode("utf-8"))


# What new-subject writes for each input a rule declares (Rule.accepted_inputs): a value and a hint.
_PLACEHOLDERS = {
    "met": ("null", "满足的要点编号列表，如 [\"1\", \"3\"]；或改写为 missed: [...]（未满足的编号）"),
    "missed": None, "violations": ("null", "不符合例数（与 met/missed 二选一）"),
    "partly": None, "cases": ("null", None), "score": ("null", "评价人员评分（复核自评时可留空，沿用所填分数）"),
    "level": None, "outside_score": ("null", None), "target": ("null", None), "actual": ("null", None),
    "series": None, "evidence": ('""', "得分依据"),
}


def _needs(rule, indent: str = "    ") -> list[str]:
    """YAML lines for the inputs a rule reads, nested under each part's name for a composite rule."""
    from ..rules.composite import CompositeRule
    from ..rules.trend import TrendRule

    lines: list[str] = []
    if isinstance(rule, CompositeRule):
        for part in rule.parts:
            inner = _needs(part.rule, indent + "  ")
            if inner:
                lines.append(f"{indent}{part.name}:          # 此部分的输入写在部分名称之下")
                lines += inner
        return lines
    accepted = rule.accepted_inputs()
    if set(accepted) == {"evidence"}:
        return []  # computed from figures: nothing to fill
    for key, what in accepted.items():
        if isinstance(rule, TrendRule) and key == "series":
            lines.append(f"{indent}series:          # {what}")
            lines += [f"{indent}  \"{year}\": null" for year in rule.years]
            continue
        placeholder = _PLACEHOLDERS.get(key, ("null", None))
        if placeholder is None:
            continue  # an alternative form of a key already written, or an optional detail
        value, hint = placeholder
        lines.append(f"{indent}{key}: {value}    # {hint or what}")
    return lines


def new_subject(framework_path: Path, path: Path, subject_id: str) -> None:
    framework: Framework = load_framework(framework_path)
    catalogue = framework.catalogue
    wanted = [name for name in needed_figures(framework) if name in catalogue]
    lines = [
        "# 评价对象文件（evalbook）。逐字段说明见 docs/评价对象数据.md。",
        f"# 指标体系：{framework.meta.name}（{framework.id}）",
        f"# 写好后运行：evalbook score {path.name}    或    evalbook review {path.name}",
        "meta:",
        f"  id: {subject_id}",
        "  unit: 某单位               # 被评价单位",
        "  name: " + ("2023年度部门整体支出  # 评价对象" if framework.meta.kind == "部门整体" else "某某项目  # 评价对象（项目名称）"),
        f"  kind: {framework.meta.kind}",
        f"  year: {framework.meta.year or 'null'}",
        "  region: " + (framework.meta.region or '""'),
        "  evaluator: \"\"             # 评价机构或评价组",
        "  scorer: 单位自评           # self_scores 是谁打的分：单位自评、第三方评价 或 财政评价",
        f"  framework: {framework.id}",
        "",
        "figures:                    # 本体系评分规则用到的基础数据（只填文件载明的数，比率由公式计算）",
    ]
    groups: dict[str, list[str]] = {}
    for name in wanted:
        group, field = name.split(".", 1)
        groups.setdefault(group, []).append(field)
    for group, fields in groups.items():
        lines.append(f"  {group}:")
        for field in fields:
            spec = catalogue[f"{group}.{field}"]
            lines.append(f"    {field}: null    # {spec.label}（{spec.unit}）")
    if not groups:
        lines[-1] = "figures: {}"
    lines += ["", "inputs:                     # 各指标的评分依据"]
    any_input = False
    for node in framework.nodes():
        if node.rule is None:
            continue
        needs = _needs(node.rule)
        if needs:
            any_input = True
            lines.append(f"  \"{node.id}\":              # {' / '.join(node.path)}")
            lines += needs
    if not any_input:
        lines[-1] = "inputs: {}"
    lines += ["", "self_scores:                # 自评分（照录自评表；没有自评时可删去）"]
    for node in framework.nodes():
        if node.rule is not None and not node.children:
            lines.append(f"  \"{node.id}\": null    # {' / '.join(node.path)}（{node.weight if node.weight is not None else '共享'}分）")
    lines += ["", "stated:                     # 文件所述的总分、等级与各级小计（复核时核对）", "  total: null", "  grade: null",
              "  subtotals: {}             # 文件所列各指标得分小计：去掉下面几行的 # 并填数，编号照指标体系、加引号"]
    lines += [f"  #  \"{root.id}\": 0.00    # {root.name}" for root in framework.roots]
    lines += ["", "tables: []                  # 文件所附报表，见 docs/评价对象数据.md；行名是年份等数字时加引号，如 name: \"2021\"",
              "", "narrative:", "  职能: \"\"", "  年度工作: \"\"", "  存在问题: []", "  改进建议: []", ""]
    write_atomic(path, "\n".join(lines).encode("utf-8"))
