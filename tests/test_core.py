"""Scoring engine: exact arithmetic, traces, the JSON contract, shared weights, slots, readings."""
import json
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from evallib.core.errors import InputError
from evallib.model.framework import load_framework
from evallib.rules.formulas import Calculator, MetricSet, NoValue
from evallib.assess.assessment import assess
from evallib.engine.scoring import evaluate
from evallib.model.subject import load_subject

MINI = ["--frameworks", FIXTURES / "frameworks"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_score_json_contract(capsys):
    code, out, err = run_cli(capsys, "score", "--json", FIXTURES / "mini-subject.yaml", *MINI)
    assert code == 0, err
    data = json.loads(out)
    for key in ("unit", "subject", "kind", "year", "framework", "total", "grade", "self_total", "stated_total",
                "indicators", "findings", "reviewed_total", "reviewed_grade", "self_grade"):
        assert key in data
    assert data["self_total"] == 10 and data["stated_total"] == 10
    assert data["total"] == 4 and data["grade"] == "差" and data["self_grade"] == "优"
    staffing = data["indicators"][0]
    assert staffing["path"] == ["投入", "在职人员控制率"] and staffing["weight"] == 5
    assert staffing["score"] == 0 and staffing["self_score"] == 5
    assert "183.33%" in staffing["trace"]["result"]
    assert staffing["trace"]["inputs"]["人员.在职人数"] == "33"
    checklist = data["indicators"][1]
    assert checklist["trace"]["evidence"] == "未提供合规性审查材料"
    for finding in data["findings"]:
        assert {"severity", "category", "indicator", "message", "claimed", "recomputed", "delta"} <= finding.keys()


def test_totals_are_exact_decimals(tmp_path):
    framework = write(tmp_path, "fw.yaml", """
meta: {id: exact, name: 精确, kind: 部门整体, total: 3}
grades: [{grade: 优, min: 0}]
indicators:
  - {id: a, name: 甲, weight: 1, criteria: 略, rule: {type: judgement}}
  - {id: b, name: 乙, weight: 1, criteria: 略, rule: {type: judgement}}
  - {id: c, name: 丙, weight: 1, criteria: 略, rule: {type: judgement}}
""")
    subject = write(tmp_path, "s.yaml", """
meta: {id: s, unit: 单位, name: 对象, kind: 部门整体, framework: exact}
self_scores: {a: 0.1, b: 0.2, c: 0.7}
""")
    ev = evaluate(load_framework(framework), load_subject(subject))
    assert ev.self_total == Decimal("1.0")
    assert str(ev.total) == "1.0"  # 0.1 + 0.2 + 0.7, not 0.9999999999999999


def test_missing_and_zero_denominators_have_no_value():
    calc = Calculator({"人员.编制数": Decimal(0), "人员.在职人数": Decimal(5)}, MetricSet.library())
    zero = calc.value("在职人员控制率")
    assert isinstance(zero, NoValue) and "为零" in zero.reason
    missing = calc.value("固定资产利用率")
    assert isinstance(missing, NoValue) and "固定资产" in missing.reason


def test_missing_figure_is_not_recomputable_not_a_finding(tmp_path):
    subject = write(tmp_path, "s.yaml", """
meta: {id: s2, unit: 测试局, name: 部门整体支出, kind: 部门整体, framework: mini}
self_scores: {"1.1": 5, "1.2": 3, "1.3": 2}
""")
    ev = assess(subject, [FIXTURES / "frameworks"])
    # no arithmetic finding; only the request for evidence behind each unsupported full mark (补证)
    assert {(f.severity, f.category, f.action) for f in ev.findings} == {("警告", "满分缺少依据", "补证")}
    reasons = dict(ev.review.not_recomputable)
    assert "缺少数据" in reasons["投入 / 在职人员控制率"]
    assert ev.total == Decimal(10)


def test_shared_weight_and_slots(tmp_path):
    framework = write(tmp_path, "fw.yaml", """
meta: {id: shared, name: 共享分值, kind: 项目支出, total: 25}
grades: [{grade: 优, min: 0}]
indicators:
  - id: e
    name: 效益
    weight: 15
    shared: true
    children:
      - {id: e1, name: 经济效益, criteria: 略, rule: {type: judgement}}
      - {id: e2, name: 社会效益, criteria: 略, rule: {type: judgement}}
  - id: o
    name: 产出
    children:
      - id: q
        name: 数量指标
        slot: {rule: {type: target_completion}}
""")
    subject = write(tmp_path, "s.yaml", """
meta: {id: s3, unit: 单位, name: 项目, kind: 项目支出, framework: shared}
inputs:
  e1: {score: 10, evidence: 带动就业}
  e2: {score: 9, evidence: 群众满意}
targets:
  q:
    - {id: q1, name: 接入点数, weight: 10, target: "≥150个", actual: "120个", self_score: 10}
""")
    ev = evaluate(load_framework(framework), load_subject(subject))
    assert ev.subtotals["e"] == Decimal(15)  # 10 + 9 capped at the shared 15
    assert ev.leaves["q1"].score == Decimal("8.00")  # 120 / 150 × 10
    assert ev.subtotals["o"] == Decimal("8.00")
    assert ev.total == Decimal("23.00")


def test_unknown_slot_target_is_an_input_error(tmp_path):
    subject = write(tmp_path, "s.yaml", """
meta: {id: s4, unit: 单位, name: 项目, kind: 部门整体, framework: mini}
targets:
  "1.1": [{id: x, name: 某指标, weight: 1, target: "1", actual: "1"}]
""")
    with pytest.raises(InputError) as info:
        evaluate(load_framework(FIXTURES / "frameworks" / "mini.yaml"), load_subject(subject))
    assert "targets.1.1" in str(info.value)


def _documented_keys(section_title: str) -> set[str]:
    import re

    from conftest import ROOT

    text = (ROOT / "docs" / "输出说明.md").read_text(encoding="utf-8")
    section = text.split(section_title, 1)[1]
    table = section.split("\n\n", 2)[1]
    return {m for line in table.splitlines() if line.startswith("| `") for m in re.findall(r"`(\w+)`", line.split("|")[1])}


def test_json_contract_is_exactly_what_the_docs_say(capsys):
    code, out, _ = run_cli(capsys, "score", "--json", FIXTURES / "mini-subject.yaml", *MINI)
    data = json.loads(out)
    assert set(data) == _documented_keys("稳定的数据格式")
    assert set(data["indicators"][0]) == _documented_keys("`indicators` 每项")


def test_json_for_several_files_is_one_array(capsys):
    code, out, _ = run_cli(capsys, "score", "--json", FIXTURES / "mini-subject.yaml", FIXTURES / "mini-subject.yaml", *MINI)
    data = json.loads(out)
    assert code == 0 and isinstance(data, list) and [d["total"] for d in data] == [4, 4]


def test_score_warns_when_items_are_unscored(tmp_path, capsys):
    subject = write(tmp_path, "s.yaml", """
meta: {id: s5, unit: 测试局, name: 部门整体支出, kind: 部门整体, framework: mini}
figures:
  调查: {满意度: 96%}
""")
    code, out, _ = run_cli(capsys, "score", subject, *MINI)
    assert code == 0 and "2 项未评分" in out and "在职人员控制率" in out


COMPOSITE_FW = """
meta: {id: bounds, name: 部分复算, kind: 部门整体, total: 2}
grades: [{grade: 优, min: 0}]
indicators:
  - id: p
    name: 政府采购执行情况
    weight: 2
    criteria: 执行率×1分；政策功能落实1分，酌情扣分。
    rule:
      type: composite
      parts:
        - {name: 执行率, points: 1, rule: {type: proportional, input: 政府采购执行率}}
        - {name: 政策功能, points: 1, rule: {type: judgement}}
"""


@pytest.mark.parametrize("self_score,finding", [("1.97", False), ("0.97", False), ("2", True), ("0.5", True)])
def test_partly_computable_composite_bounds_the_self_score(tmp_path, self_score, finding):
    """福田 政府采购: 426.15/437.35 gives 0.97 of the rate part; the judged part allows 0–1 more."""
    (tmp_path / "fw").mkdir()
    write(tmp_path / "fw", "bounds.yaml", COMPOSITE_FW)
    subject = write(tmp_path, "s.yaml", f"""
meta: {{id: s6, unit: 单位, name: 对象, kind: 部门整体, framework: bounds}}
figures:
  政府采购: {{预算数: 437.35, 实际数: 426.15}}
self_scores: {{p: {self_score}}}
""")
    ev = assess(subject, [tmp_path / "fw"])
    leaf = ev.leaves["p"]
    assert leaf.source == "采用自评分" and leaf.score == Decimal(self_score)
    assert [round(b, 4) for b in leaf.bounds] == [Decimal("0.9744"), Decimal("1.9744")]
    found = [f for f in ev.findings if f.category == "得分与规则不符"]
    assert bool(found) == finding
    if finding:
        assert found[0].recomputed == "0.97–1.97" and found[0].severity == "错误"
