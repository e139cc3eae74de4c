"""Bad input gets a clear Chinese message naming the file and field, exit code 2, no traceback."""
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT, run_cli

BAD = FIXTURES / "bad"
MINI = ["--frameworks", FIXTURES / "frameworks"]

CASES = [
    # (command, file, what the message must contain)
    ("lint", "malformed.yaml", ["malformed.yaml", "自第 3 行", "YAML 格式错误", "方括号列表未闭合"]),
    ("lint", "unknown-rule.yaml", ["unknown-rule.yaml", "在职人员控制率", "rule.type", "未知的评分规则类型", "deductt"]),
    ("lint", "bad-weights.yaml", ["投入", "分值为 10 分，下级指标分值合计 8 分"]),
    ("lint", "bad-percent.yaml", ["bad-percent.yaml", "target", "百分百", "不是数字"]),
    ("lint", "unknown-input.yaml", ["不存在的比率", "评价对象数据中不存在"]),
    ("lint", "not-utf8.yaml", ["not-utf8.yaml", "UTF-8"]),
    ("lint", "no-such-file.yaml", ["no-such-file.yaml", "文件不存在"]),
    ("score", "figure-text.yaml", ["figure-text.yaml", "figures.人员.在职人数", "应为数字", "十一"]),
    ("score", "negative-money.yaml", ["figures.预算.年初预算数", "不能为负数", "-5"]),
    ("score", "mistyped-figure.yaml", ["figures.人员.编制人数", "未知的数据项", "编制数"]),
    ("score", "missing-field.yaml", ["missing-field.yaml", "meta.unit", "缺少必填字段"]),
    ("score", "unknown-framework.yaml", ["meta.framework", "no-such-framework", "找不到"]),
    ("score", "unknown-indicator.yaml", ["self_scores.9.9", "没有这个指标编号"]),
    ("score", "fractional-count.yaml", ["人员.编制数", "应为整数"]),
    ("review", "malformed.yaml", ["YAML 格式错误"]),
]


@pytest.mark.parametrize("command,name,expected", CASES, ids=[f"{c}-{n}" for c, n, _ in CASES])
def test_bad_input_is_reported_in_chinese(capsys, command, name, expected):
    extra = MINI if command != "lint" else []
    code, out, err = run_cli(capsys, command, BAD / name, *extra)
    text = out + err
    assert code == 2, text
    assert "Traceback" not in text
    for piece in expected:
        assert piece in text, f"{piece!r} missing from:\n{text}"


def test_console_script_exits_2_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "evallib.cli.main", "score", str(BAD / "negative-money.yaml"), *map(str, MINI)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "不能为负数" in proc.stderr


def test_good_input_still_exits_0(capsys):
    code, out, err = run_cli(capsys, "lint", FIXTURES / "frameworks" / "mini.yaml")
    assert code == 0, out + err
    assert "错误 0 个" in out
