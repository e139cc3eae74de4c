"""The cross-subject summary: grouped by framework, ranked only within it with the one tie rule that
summary.xlsx uses too, names and links instead of ids, grades on each framework's own scale, deductions
as a share of the weight."""
from __future__ import annotations

import pytest

from conftest import ROOT
from evallib.assess.contract import to_json
from evallib.assess.assessment import assess
from evallib.assess.record import read_assessment
from evallib.export.xlsx import summary_workbook
from evallib.report import data, render, summary
from evallib.report.ranking import competition_ranks, framework_groups
from evallib.report.tables import Link

SUBJECTS = ROOT / "parameters" / "subjects"
# four projects on one framework (two tie at 100), and two department subjects on frameworks with different grade scales
NAMES = ["000-heshan-2020-p1-linpin", "000-heshan-2020-p2-yunwei", "000-heshan-2020-p3-wangluo",
         "000-heshan-2020-p4-dalou", "004-gaoyi-2021-dept", "002-junshan-2021-dept"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """The subjects' serialised assessments, laid out as `evalbook run` leaves them (<id>/result.json)."""
    out = tmp_path_factory.mktemp("summary")
    paths = []
    for name in NAMES:
        a = assess(SUBJECTS / f"{name}.yaml", data.framework_dirs(None))
        folder = out / a.subject.meta.id
        folder.mkdir()
        (folder / "result.json").write_text(to_json(a) + "\n", "utf-8")
        paths.append(str(folder / "result.json"))
    return paths


def test_ties_share_a_rank_and_the_next_skips():
    assert competition_ranks([100, 100, 99, 94]) == [1, 1, 3, 4]
    assert competition_ranks([90]) == [1] and competition_ranks([]) == []
    assert competition_ranks([80, 70, 70, 70, 60]) == [1, 2, 2, 2, 5]


def test_summary_groups_by_framework_and_never_ranks_across(results):
    records = [read_assessment(p) for p in results]
    s = summary.build_summary(assessments=results)
    assert len(s.leagues) == len({ev.framework_meta.id for ev in records}) == 3
    by_heading = {section.heading: section.table.frame for section in s.leagues}
    projects = next(f for f in by_heading.values() if len(f) == 4)
    assert list(projects["名次"]) == [1, 1, 3, 4] and [str(v) for v in projects["复核总分"]] == ["100", "100", "99", "94"]
    # names, not ids; each name links to the subject's report beside the summary
    for frame in by_heading.values():
        assert len(frame) == 1 or frame is projects
        for cell in frame["评价对象"]:
            assert isinstance(cell, Link) and cell.href.endswith("/report.html")
            assert not any(cell.text == ev.id for ev in records)
    hrefs = {cell.href for f in by_heading.values() for cell in f["评价对象"]}
    assert hrefs == {f"{ev.id}/report.html" for ev in records}
    page = render.table_html(s.leagues[0].table)
    assert '<a href="' in page and "/report.html" in page
    # the department groups come first (部门整体 before 项目支出)
    assert [len(f) for f in by_heading.values()] == [1, 1, 4]


def test_summary_xlsx_ranks_with_the_same_rule(results):
    records = [read_assessment(p) for p in results]
    s = summary.build_summary(assessments=results)
    html_ranks = [(rank, cell.href.split("/")[0]) for section in s.leagues
                  for rank, cell in zip(section.table.frame["名次"], section.table.frame["评价对象"])]
    ws = summary_workbook(records).active
    header = next(r for r in range(1, 10) if ws.cell(row=r, column=1).value == "排名")
    xlsx_ranks = [(ws.cell(row=r, column=1).value, ws.cell(row=r, column=2).value)
                  for r in range(header + 1, header + 1 + len(records))]
    assert xlsx_ranks == html_ranks
    assert [rank for group in framework_groups(records) for rank, _ in group.ranked] == [r for r, _ in html_ranks]


def test_grades_on_each_frameworks_own_scale(results):
    s = summary.build_summary(assessments=results)
    scales = {tuple(g.counts["等级"]): g for g in s.grades}
    assert ("优秀", "良好", "一般", "较差") in scales and ("优", "良", "中", "差") in scales
    gaoyi = scales[("优秀", "良好", "一般", "较差")].table.frame
    assert "优" not in gaoyi.columns and list(gaoyi[gaoyi["口径"] == "复核等级"]["优秀"]) == [1]
    common = scales[("优", "良", "中", "差")].table.frame
    assert "优秀" not in common.columns
    assert sum(common[common["口径"] == "复核等级"]["优"]) == 5  # 4 projects + 君山 department, all 优


def test_deductions_as_share_of_weight_within_one_framework(results):
    records = [read_assessment(p) for p in results]
    s = summary.build_summary(assessments=results)
    losses = s.losses.frame
    assert "扣分合计" not in losses.columns and all(v.endswith("%") for v in losses["扣分率"])
    shares = [float(v.rstrip("%")) for v in losses["扣分率"]]
    assert shares == sorted(shares, reverse=True) and all(0 < v <= 100 for v in shares)
    names = {ev.framework_meta.name for ev in records}
    assert set(losses["指标体系"]) <= names
    # 项目验收合格率 of p4 (target 100%, actual 70%, 10 points → 7): 3 of 10 points lost = 30.00%
    row = losses[losses["指标"].str.contains("项目验收合格率")]
    assert list(row["扣分率"]) == ["30.00%"] and list(row["扣分对象数"]) == [1]


def test_summary_opened_by_hand_has_no_dead_links():
    s = summary.build_summary(subjects=[SUBJECTS / "004-gaoyi-2021-dept.yaml"])
    assert not any(isinstance(c, Link) for c in s.leagues[0].table.frame["评价对象"])
