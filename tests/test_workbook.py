"""Engagement workbooks: `evalbook init`, finding the workbook from any subfolder, bundled frameworks by id
from anywhere (a workbook's own first), and the notebooks' defaults inside a workbook."""
import shutil

import pytest
import yaml

from conftest import ROOT, run_cli
from evallib.model import workbook
from evallib.model.framework import find_framework

SUBJECT = ROOT / "parameters" / "subjects" / "003-futian-2021-dept.yaml"


def _init(capsys, folder, *extra):
    code, out, err = run_cli(capsys, "init", folder, *extra)
    assert code == 0, err
    return out


def test_init_creates_a_complete_workbook(tmp_path, capsys):
    wb = tmp_path / "某区财政局-2024"
    out = _init(capsys, wb, "--framework", "futian-2021-dept")
    for folder in ("parameters/frameworks", "parameters/subjects", "notebooks", "outputs"):
        assert (wb / folder).is_dir(), folder
    assert (wb / "parameters/frameworks/futian-2021-dept.yaml").read_bytes() == \
        (ROOT / "parameters/frameworks/futian-2021-dept.yaml").read_bytes()
    for name in ("report", "summary"):  # the notebooks come from their one source
        assert (wb / "notebooks" / f"{name}.ipynb").read_bytes() == \
            (workbook.bundled("notebooks") / f"{name}.ipynb").read_bytes()
    assert "新建 engagement.yaml" in out and "futian-2021-dept" in out
    readme = (wb / "README.md").read_text("utf-8")
    assert "评价工作簿" in readme and "subject" in readme


def test_engagement_template_has_the_agreed_keys(tmp_path, capsys):
    _init(capsys, tmp_path / "wb")
    text = (tmp_path / "wb" / "engagement.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert list(data) == ["firm", "client", "team", "lead_evaluator", "basis", "method", "dates", "report_type", "stage"]
    assert list(data["dates"]) == ["start", "end", "report"]
    assert data["report_type"] in ("自评复核", "第三方评价") and data["stage"] in ("征求意见稿", "正式稿")
    for word in ("评价机构", "委托方", "评价工作组", "主评人", "评价依据", "评价方法"):
        assert word in text  # every field is explained in Chinese
    # the commented team example is valid YAML of the expected shape once uncommented
    example = "\n".join(l[1:] for l in text.splitlines() if l.startswith("#  - name") or l.startswith("#    role"))
    assert all(set(m) == {"name", "role"} for m in yaml.safe_load(example))


def test_init_never_overwrites_and_completes_a_folder(tmp_path, capsys):
    wb = tmp_path / "wb"
    _init(capsys, wb)
    (wb / "engagement.yaml").write_text("firm: 我的机构\n", encoding="utf-8")
    (wb / "notebooks" / "summary.ipynb").unlink()
    out = _init(capsys, wb)
    assert (wb / "engagement.yaml").read_text("utf-8") == "firm: 我的机构\n"
    assert "已存在，保留 engagement.yaml" in out and "新建 notebooks/summary.ipynb" in out


def test_init_rejects_an_unknown_framework_id(tmp_path, capsys):
    code, out, err = run_cli(capsys, "init", tmp_path / "wb", "--framework", "nowhere-2099")
    assert code == 2 and "nowhere-2099" in err and "futian-2021-dept" in err and "Traceback" not in err
    assert not (tmp_path / "wb").exists()  # nothing half-made


def test_root_is_found_from_any_subfolder(tmp_path, capsys, monkeypatch):
    wb = tmp_path / "wb"
    _init(capsys, wb)
    deep = wb / "notebooks" / "草稿"
    deep.mkdir()
    monkeypatch.chdir(deep)
    assert workbook.find_root() == wb.resolve()
    assert workbook.frameworks_dir().resolve() == (wb / "parameters" / "frameworks").resolve()
    assert workbook.find_root(tmp_path) is None  # above the workbook: none
    assert workbook.find_root(ROOT / "tests") == ROOT  # the repository is a workbook too (evalbook.toml)


def test_bundled_frameworks_by_id_from_outside_any_workbook(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(SUBJECT, tmp_path / SUBJECT.name)
    code, out, err = run_cli(capsys, "score", SUBJECT.name)
    assert code == 0, err
    assert "合计：94.71 分" in out


def test_a_workbook_framework_takes_precedence_over_the_bundled_one(tmp_path, capsys, monkeypatch):
    wb = tmp_path / "wb"
    _init(capsys, wb)
    bundled = workbook.bundled("frameworks") / "futian-2021-dept.yaml"
    own = wb / "parameters" / "frameworks" / "福田-本次修订.yaml"
    data = yaml.safe_load(bundled.read_text("utf-8"))
    data["meta"]["name"] = "本次委托修订的指标体系"
    own.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copy(SUBJECT, wb / "parameters" / "subjects" / SUBJECT.name)
    monkeypatch.chdir(wb / "outputs")
    assert find_framework("futian-2021-dept").resolve() == own.resolve()
    assert find_framework("national-2021-101").parent.resolve() == workbook.bundled("frameworks").resolve()
    code, out, err = run_cli(capsys, "score", f"../parameters/subjects/{SUBJECT.name}")
    assert code == 0, err
    assert "指标体系 本次委托修订的指标体系" in out.splitlines()[0]


def test_unknown_framework_lists_each_known_id_once(tmp_path, monkeypatch):
    from evallib.core.errors import InputError

    monkeypatch.chdir(ROOT)  # the repository's own frameworks are also the bundled ones
    with pytest.raises(InputError) as info:
        find_framework("nowhere-2099")
    text = str(info.value.problems[0])
    assert text.count("futian-2021-dept、") + text.endswith("futian-2021-dept") == 1


def test_report_data_in_a_notebook_folder_needs_only_the_subject(tmp_path, capsys, monkeypatch):
    """As JupyterLab runs report.ipynb: kernel in notebooks/, only `subject` set (either way of naming it)."""
    from evallib.report import data

    wb = tmp_path / "wb"
    _init(capsys, wb)
    shutil.copy(SUBJECT, wb / "parameters" / "subjects" / SUBJECT.name)
    monkeypatch.chdir(wb / "notebooks")
    for subject in (f"../parameters/subjects/{SUBJECT.name}", f"parameters/subjects/{SUBJECT.name}"):
        ev = data.assess_subject(subject)
        assert ev.id == "003-futian-2021-dept" and str(ev.total) == "94.71"


def test_summary_finds_the_workbook_subjects_or_says_why_not(tmp_path, capsys, monkeypatch):
    from evallib.report import summary

    wb = tmp_path / "wb"
    _init(capsys, wb)
    monkeypatch.chdir(wb / "notebooks")
    text = summary.build_summary().text
    assert "没有评价对象" in text and "parameters/subjects/" in text and str(wb.resolve()) in text
    shutil.copy(SUBJECT, wb / "parameters" / "subjects" / SUBJECT.name)
    assert summary.build_summary().text.startswith("本次汇总评价对象1个")
    monkeypatch.chdir(tmp_path)  # outside any workbook
    text = summary.build_summary().text
    assert "不在评价工作簿内" in text and "evalbook init" in text


def test_run_without_subjects_outside_a_workbook_says_why(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "run")
    assert code == 2 and "没有评价对象" in err and "evalbook init" in err
