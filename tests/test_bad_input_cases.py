"""Each case named in issue 15: a Chinese message naming file, field and value, exit 2, no traceback,
no English or Python inside — and never a silently changed score."""
import json
import re

import pytest

from conftest import FIXTURES, ROOT, run_cli

MINI_FW = FIXTURES / "frameworks" / "mini.yaml"
MINI = FIXTURES / "mini-subject.yaml"
SUBJECTS = ROOT / "parameters" / "subjects"
GAOYI = SUBJECTS / "004-gaoyi-2021-dept.yaml"
JIGUAN = SUBJECTS / "001-jiguan-dept.yaml"
NATIONAL = SUBJECTS / "national-2020-10-example.yaml"
JUDGED = '  "3.1.1":\n    evidence: 经自评，全年接收公文'  # gaoyi 3.1.1: a 2-point judgement item

# Text that must never reach a user: pydantic's English, Python reprs, regular expressions.
LEAKS = re.compile(r"Traceback|Decimal\(|Input should|String should|Value error|\^\[|InvalidOperation|"
                   r"Error:|should be|[A-Za-z]+Error\b")


def mutated(tmp_path, src, old, new, name=None):
    text = src.read_text("utf-8")
    assert old in text, f"{old!r} not in {src}"
    out = tmp_path / (name or src.name)
    out.write_text(text.replace(old, new, 1), "utf-8")
    return out


def assert_refused(code, out, err, *pieces):
    text = out + err
    assert code == 2, text
    assert not LEAKS.search(text), text
    for piece in pieces:
        assert piece in text, f"{piece!r} missing from:\n{text}"


# -- subject figures and evaluator inputs (score) ------------------------------------------------

SUBJECT_CASES = [
    # (id, source, old, new, framework dirs or None, expected pieces)
    ("figure-nan", MINI, "满意度: 96%", "满意度: .nan", True, ["figures.调查.满意度", "NaN 或无穷大"]),
    ("figure-NaN-text", MINI, "满意度: 96%", '满意度: "NaN"', True, ["figures.调查.满意度", "NaN 或无穷大", "“NaN”"]),
    ("figure-inf", MINI, "满意度: 96%", "满意度: .inf", True, ["figures.调查.满意度", "NaN 或无穷大"]),
    ("figure-Infinity-text", MINI, "在职人数: 33", '在职人数: "Infinity"', True, ["figures.人员.在职人数", "NaN 或无穷大"]),
    ("rate-bare-98", MINI, "满意度: 96%", "满意度: 98", True, ["figures.调查.满意度", "含义不明", "“98%”", "0.98"]),
    ("rate-decimal-comma", MINI, "满意度: 96%", '满意度: "98,5%"', True, ["figures.调查.满意度", "小数点请用", "“98,5%”"]),
    ("rate-above-100", MINI, "满意度: 96%", '满意度: "105%"', True, ["figures.调查.满意度", "0%–100%"]),
    ("self-score-percent", MINI, '"1.1": 5,', '"1.1": "100%",', True, ["self_scores.1.1", "不能写成百分数", "“100%”"]),
    ("duplicate-key", MINI, '"1.1": 5,', '"1.1": 5, "1.1": 4,', True, ["第 7 行", "键“1.1”重复"]),
    ("met-unknown-item", MINI, 'met: ["1", "3"]', 'met: ["9"]', True, ["inputs.1.2.met", "评价要点编号“9”不存在"]),
    ("met-and-missed", MINI, 'met: ["1", "3"]', 'met: ["1", "3"], missed: ["3"]', True,
     ["inputs.1.2.met", "同时列在 met", "自相矛盾"]),
    ("met-repeated", MINI, 'met: ["1", "3"]', 'met: ["1", "1"]', True, ["inputs.1.2.met", "编号重复：1"]),
    ("met-not-a-list", MINI, 'met: ["1", "3"]', 'met: "13"', True, ["inputs.1.2.met", "列表"]),
    ("inputs-typo", MINI, "evidence: 未提供", "evidenc: 未提供", True, ["inputs.1.2.evidenc", "不读取“evidenc”", "evidence"]),
    ("violations-in-earn-mode", MINI, 'met: ["1", "3"]', "violations: 1", True, ["inputs.1.2.violations", "不读取"]),
    ("judgement-negative", GAOYI, JUDGED, JUDGED.replace("\n", "\n    score: -3\n", 1), False,
     ["inputs.3.1.1.score", "不能为负数", "-3"]),
    ("judgement-above-weight", GAOYI, JUDGED, JUDGED.replace("\n", "\n    score: 100\n", 1), False,
     ["inputs.3.1.1.score", "超过该项满分 2", "不会按上限截取"]),
    ("judgement-nan", GAOYI, JUDGED, JUDGED.replace("\n", "\n    score: .nan\n", 1), False,
     ["inputs.3.1.1.score", "NaN 或无穷大"]),
    ("judgement-percent", GAOYI, JUDGED, JUDGED.replace("\n", '\n    score: "100%"\n', 1), False,
     ["inputs.3.1.1.score", "不能写成百分数"]),
    ("outside-negative", JIGUAN, '"3.1.1": {evidence:', '"3.1.1": {outside_score: -10, evidence:', False,
     ["inputs.3.1.1.outside_score", "不能为负数", "-10"]),
    ("outside-above-max", JIGUAN, '"3.1.1": {evidence:', '"3.1.1": {outside_score: 999, evidence:', False,
     ["inputs.3.1.1.outside_score", "满分 350", "999"]),
    ("violations-negative", JIGUAN, '"2.2.5": {evidence:', '"2.2.5": {violations: -1, evidence:', False,
     ["inputs.2.2.5.violations", "不能为负数"]),
    ("violations-fractional", JIGUAN, '"2.2.5": {evidence:', '"2.2.5": {violations: 1.5, evidence:', False,
     ["inputs.2.2.5.violations", "应为整数", "1.5"]),
    ("violations-and-missed", JIGUAN, '"2.2.5": {evidence:', '"2.2.5": {violations: 1, missed: ["1"], evidence:', False,
     ["inputs.2.2.5.violations", "只能填一种"]),
    ("target-weight-above-slot", NATIONAL, "weight: 15, target: ≥12场", "weight: 100, target: ≥12场", False,
     ["targets.2", "合计 135 分", "50 分"]),
    ("target-id-outside-slot", NATIONAL, '- {id: "2.1", name', '- {id: "3.9", name', False,
     ["targets.2[1].id", "不在所属指标 2 之下", "3.9"]),
    ("target-id-duplicate", NATIONAL, '- {id: "2.1", name', '- {id: "3.2", name', False, ["3.2", "重复"]),
    ("target-score-above-weight", NATIONAL, "self_score: 7,\n       score: 7", "self_score: 7,\n       score: 70", False,
     ["targets.3[3]", ".score", "超过该项分值 10"]),
    ("stated-value-unknown-name", JIGUAN, "metric: 满意度, where: 经济", "metric: 满意率, where: 经济", False,
     ["stated.values[7].metric", "满意率"]),
]


@pytest.mark.parametrize("case", SUBJECT_CASES, ids=[c[0] for c in SUBJECT_CASES])
def test_bad_subject_is_refused(capsys, tmp_path, case):
    _, src, old, new, mini, pieces = case
    path = mutated(tmp_path, src, old, new)
    extra = ["--frameworks", FIXTURES / "frameworks"] if mini else []
    code, out, err = run_cli(capsys, "score", path, *extra)
    assert_refused(code, out, err, str(path), *pieces)


def test_table_rows_and_ids_are_checked(capsys, tmp_path):
    src = SUBJECTS / "002-junshan-2021-dept.yaml"
    text = src.read_text("utf-8")
    data_ids = re.findall(r"- id: (\S+)", text)
    assert "income" in data_ids and "expenditure" in data_ids
    path = tmp_path / src.name
    path.write_text(text.replace("- id: expenditure", "- id: income", 1), "utf-8")
    code, out, err = run_cli(capsys, "score", path)
    assert_refused(code, out, err, "tables[2].id", "表格编号重复", "income")


def test_table_row_with_wrong_number_of_values(capsys, tmp_path):
    src = SUBJECTS / "003-futian-2021-dept.yaml"
    text = src.read_text("utf-8")
    match = re.search(r"values: \[([^\]\n]+), ([^\]\n]+)\]", text)
    assert match, "a two-column row"
    path = tmp_path / src.name
    path.write_text(text.replace(match.group(0), f"values: [{match.group(1)}]", 1), "utf-8")
    code, out, err = run_cli(capsys, "score", path)
    assert_refused(code, out, err, ".values", "有 1 个数值", "表格有 2 列")


# -- frameworks (lint) ---------------------------------------------------------------------------

FRAMEWORK_CASES = [
    ("bands-empty", "bands: [{min: 95%, score: 2}, {min: 90%, max: 95%, score: 1}, {max: 90%, score: 0}]", "bands: []",
     ["rule.bands", "至少需要 1 项"]),
    ("band-min-above-max", "{min: 90%, max: 95%, score: 1}", "{min: 96%, max: 95%, score: 1}",
     ["rule.bands[2]", "高于上限"]),
    ("band-negative-score", "{max: 90%, score: 0}", "{max: 90%, score: -1}", ["rule.bands[3].score", "不能小于 0", "-1"]),
    ("deduct-negative-points", "per: 1%, points: 0.5}", "per: 1%, points: -0.5}", ["rule.points", "不能小于 0", "-0.5"]),
    ("rule-max-negative", "per: 1%, points: 0.5}", "per: 1%, points: 0.5, max: -1}", ["rule.max", "不能小于 0"]),
    ("linear-full-equals-zero", "{type: deduct, input: 在职人员控制率, target: 100%, direction: above, per: 1%, points: 0.5}",
     "{type: linear, input: 在职人员控制率, full_at: 100%, zero_at: 100%}", ["full_at", "zero_at", "相同"]),
    ("checklist-duplicate-items", '{id: "2", text: 合规', '{id: "1", text: 合规', ["rule.items", "评价要点编号重复：1"]),
    ("grade-duplicate-names", "{grade: 良, min: 8, max: 9}", "{grade: 优, min: 8, max: 9}", ["grades[2].grade", "等级名称重复", "优"]),
    ("indicator-duplicate-ids", 'id: "1.2"', 'id: "1.1"', ["管理制度健全性", "指标编号 id", "重复"]),
    ("grade-min-above-max", "{grade: 良, min: 8, max: 9}", "{grade: 良, min: 9.5, max: 9}", ["grades[2]", "高于上限"]),
    ("duplicate-key", "  cap: 季度比值封顶为1\n", "  cap: 季度比值封顶为1\n  cap: 二\n", ["键“cap”重复"]),
    ("weight-percent", "    weight: 10\n", '    weight: "10%"\n', ["weight", "不能写成百分数"]),
    ("weight-nan", "    weight: 10\n", "    weight: .nan\n", ["weight", "NaN 或无穷大"]),
]


@pytest.mark.parametrize("case", FRAMEWORK_CASES, ids=[c[0] for c in FRAMEWORK_CASES])
def test_broken_framework_fails_lint(capsys, tmp_path, case):
    _, old, new, pieces = case
    path = mutated(tmp_path, MINI_FW, old, new)
    code, out, err = run_cli(capsys, "lint", path)
    assert_refused(code, out, err, str(path), *pieces)
    assert "缺少评分规则" not in out + err  # a rule that failed to parse is not reported as missing


def test_formula_cycle_fails_lint_and_score_names_it(capsys, tmp_path):
    folder = tmp_path / "frameworks"
    folder.mkdir()
    fw = mutated(tmp_path, MINI_FW, "readings:", "metrics:\n  甲率: {formula: 乙率 * 2}\n  乙率: {formula: 甲率 / 2}\nreadings:",
                 name="frameworks/mini.yaml")
    fw.write_text(fw.read_text("utf-8").replace("input: 满意度", "input: 甲率"), "utf-8")
    code, out, err = run_cli(capsys, "lint", fw)
    assert_refused(code, out, err, "公式循环引用")
    assert re.search(r"(甲率 → 乙率 → 甲率|乙率 → 甲率 → 乙率)", out), out
    code, out, err = run_cli(capsys, "score", MINI, "--frameworks", folder, "--json")
    assert code == 0, err  # the item cannot be computed: it says why, it does not crash
    leaf = next(x for x in json.loads(out)["indicators"] if x["id"] == "1.3")
    assert "公式循环引用" in json.dumps(leaf, ensure_ascii=False)


# -- command line --------------------------------------------------------------------------------

def test_score_and_lint_on_a_directory(capsys):
    for command in ("score", "lint", "review"):
        code, out, err = run_cli(capsys, command, FIXTURES)
        assert_refused(code, out, err, "这是一个目录")


@pytest.mark.parametrize("value", ["abc", "nan", "-1", "inf"])
def test_tolerance_must_be_a_number(capsys, value):
    code, out, err = run_cli(capsys, "review", MINI, "--frameworks", FIXTURES / "frameworks", "--tolerance", value)
    assert_refused(code, out, err, "--tolerance", value)


def test_frameworks_folder_must_exist(capsys, tmp_path):
    code, out, err = run_cli(capsys, "score", MINI, "--frameworks", tmp_path / "nonexistent")
    assert_refused(code, out, err, "--frameworks", "目录不存在")


def test_run_out_must_be_a_writable_folder(capsys, tmp_path):
    existing = tmp_path / "file.txt"
    existing.write_text("x")
    code, out, err = run_cli(capsys, "run", "--score-only", "--out", existing, MINI, "--frameworks", FIXTURES / "frameworks")
    assert_refused(code, out, err, "--out", "已有的文件")
    code, out, err = run_cli(capsys, "run", "--score-only", "--out", existing / "sub", MINI)
    assert_refused(code, out, err, "--out", "是文件，不是目录")
    assert existing.read_text() == "x"


def test_unwritable_out_is_refused_before_work(capsys, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        from evallib.cli import paths

        probe_ok = True
        try:
            paths.output_dir(locked / "out", "--out")
        except Exception:
            probe_ok = False
        if probe_ok:
            pytest.skip("this user may write into read-only folders (root without a read-only file system)")
        code, out, err = run_cli(capsys, "run", "--score-only", "--out", locked / "out", MINI)
        assert_refused(code, out, err, "--out", "无法在")
    finally:
        locked.chmod(0o700)


def test_unwritable_out_on_read_only_file_system(capsys):
    import tempfile

    try:  # /sys refuses new folders even to root in most containers
        with tempfile.TemporaryDirectory(dir="/sys"):
            pytest.skip("no read-only location available")
    except OSError:
        pass
    code, out, err = run_cli(capsys, "run", "--score-only", "--out", "/sys/evalbook-out", MINI)
    assert_refused(code, out, err, "--out", "无法在“/sys”中写入")


def test_xlsx_output_must_be_a_folder(capsys, tmp_path):
    existing = tmp_path / "out.xlsx"
    existing.write_text("x")
    code, out, err = run_cli(capsys, "xlsx", MINI, "-o", existing, "--frameworks", FIXTURES / "frameworks")
    assert_refused(code, out, err, "-o/--output", "已有的文件")


def test_template_output_must_not_be_a_folder(capsys, tmp_path):
    code, out, err = run_cli(capsys, "template", MINI_FW, "-o", tmp_path)
    assert_refused(code, out, err, "-o/--output", "这是一个目录")


@pytest.mark.parametrize("command,value", [("new-framework", "../x y"), ("new-subject", "a/b"), ("new-framework", "中文")])
def test_new_file_ids_are_safe_names(capsys, tmp_path, command, value):
    target = tmp_path / "new.yaml"
    args = [command] + ([MINI_FW] if command == "new-subject" else []) + ["-o", target, "--id", value]
    code, out, err = run_cli(capsys, *args)
    assert_refused(code, out, err, "--id", value)
    assert not target.exists()


@pytest.mark.parametrize("content,piece", [("{bad", "不是有效的 JSON"), ("[1, 2]", "应为 JSON 对象"),
                                           ('{"subjects": [{"nofile": 1}]}', "subjects[1]"),
                                           ('{"subjects": 3}', "subjects")])
def test_verify_on_a_corrupt_manifest(capsys, tmp_path, content, piece):
    (tmp_path / "manifest.json").write_text(content)
    code, out, err = run_cli(capsys, "verify", tmp_path)
    assert_refused(code, out, err, "manifest.json", piece)


def test_verify_on_a_missing_folder(capsys, tmp_path):
    code, out, err = run_cli(capsys, "verify", tmp_path / "nothing")
    assert_refused(code, out, err, "目录不存在")


def test_batch_failure_table_shows_the_same_chinese_message(capsys, tmp_path):
    bad = mutated(tmp_path, MINI, "满意度: 96%", "满意度: .nan")
    code, out, err = run_cli(capsys, "score", bad, "--frameworks", FIXTURES / "frameworks")
    assert_refused(code, out, err)
    message = [line.strip() for line in err.splitlines() if "figures.调查.满意度" in line][0]
    from evallib.batch.subject import SubjectResult
    from evallib.batch.outputs import error_text
    from evallib.cli.run import failure_table
    from evallib.core.errors import InputError
    from evallib.engine.scoring import evaluate_file

    with pytest.raises(InputError) as caught:
        evaluate_file(bad, [FIXTURES / "frameworks"])
    text = error_text(caught.value)
    assert message in text and not LEAKS.search(text)
    result = SubjectResult(file=str(bad), ok=False, message=text)
    table = "\n".join(failure_table([result]))
    assert message.replace("|", "｜") in table


def test_a_self_score_above_the_weight_is_a_review_error_not_a_refusal(capsys, tmp_path):
    """A filed document's own mistake is what the review exists to report: never refused, never capped quietly."""
    path = mutated(tmp_path, MINI, '"1.1": 5,', '"1.1": 50,')
    code, out, err = run_cli(capsys, "review", path, "--frameworks", FIXTURES / "frameworks")
    assert code == 0, err
    assert "[错误] 自评分超出分值" in out and "50" in out
