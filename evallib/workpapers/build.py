"""The engagement papers of one subject in one go: draft papers, and the final after the comment round."""
from __future__ import annotations

from pathlib import Path

from ..assess.assessment import Assessment, assess
from ..assess.contract import to_json
from ..assess.record import AssessmentRecord, record_of
from ..core.writing import write_atomic
from ..model.engagement import engagement_for
from ..report.data import build_report
from .changes import Change, change_list, write_changes_md, write_reply_xlsx
from .comments import apply_comments, read_comments, write_comment_template
from .confirm import write_confirmation_docx, write_confirmation_xlsx
from .paperdoc import write_papers_docx
from .papers import Notes, build_papers
from .sentences import SentenceChange, sentence_changes
from .sheet import write_papers_xlsx

PAPERS_XLSX, PAPERS_DOCX = "工作底稿.xlsx", "工作底稿.docx"
CONFIRM_XLSX, CONFIRM_DOCX = "数据核查确认表.xlsx", "数据核查确认表.docx"
COMMENTS_XLSX, REPLY_XLSX, CHANGES_MD = "意见征求表.xlsx", "意见采纳情况说明.xlsx", "变更清单.md"
RESULT_JSON = "result.json"


def write_result(path: Path, assessment: Assessment) -> Path:
    write_atomic(Path(path), (to_json(assessment) + "\n").encode("utf-8"))
    return Path(path)


def engagement_file(subject: Path, explicit: Path | None = None) -> Path | None:
    """The engagement settings file the report would use for `subject` (evallib/model/engagement.py)."""
    found = engagement_for(Path(subject), Path(explicit) if explicit else None)
    return found[1] if found else None


def write_papers(record: AssessmentRecord, out: Path, notes: Notes | None = None) -> list[Path]:
    """工作底稿 (Excel, Word), 数据核查确认表 (Excel, Word) and the 意见征求表 template; the engagement
    settings are the assessment's own (`record.engagement`), read exactly as the report reads them."""
    out.mkdir(parents=True, exist_ok=True)
    title = f"{record.meta.unit}{record.meta.name}评价工作底稿"
    papers = build_papers(record, notes)
    return [write_papers_xlsx(out / PAPERS_XLSX, title, record, papers),
            write_papers_docx(out / PAPERS_DOCX, title, record, papers),
            write_confirmation_xlsx(out / CONFIRM_XLSX, record),
            write_confirmation_docx(out / CONFIRM_DOCX, record),
            write_comment_template(out / COMMENTS_XLSX, record)]


def draft(subject: Path, out: Path, engagement: Path | None = None, framework_dirs=None, notes: Notes | None = None):
    """`engagement`: the settings file; by default the one found for the subject, as the report finds it."""
    assessment = assess(subject, framework_dirs, engagement=engagement_file(subject, engagement))
    record = record_of(assessment)
    files = write_papers(record, out, notes) + [write_result(out / RESULT_JSON, assessment)]
    return record, files


def finalize(subject: Path, filled: Path, out: Path, engagement: Path | None = None, framework_dirs=None,
             notes: Notes | None = None) -> tuple[Path, list[Change], list[SentenceChange], list[Path]]:
    """Read the filled 意见征求表, write the corrected subject, re-assess and state every change. The final
    is assessed with the draft's engagement settings (the corrected subject is written elsewhere)."""
    settings = engagement_file(subject, engagement)
    draft_record = record_of(assess(subject, framework_dirs, engagement=settings))
    comments = read_comments(filled, draft_record)  # refuses before anything is written
    out.mkdir(parents=True, exist_ok=True)
    final_subject = out / Path(subject).name
    apply_comments(subject, comments, final_subject)
    final_assessment = assess(final_subject, framework_dirs, engagement=settings)
    final_record = record_of(final_assessment)
    changes = change_list(draft_record, final_record)
    sentences = sentence_changes(build_report(draft_record), build_report(final_record))
    files = [final_subject, write_result(out / RESULT_JSON, final_assessment),
             write_reply_xlsx(out / REPLY_XLSX, final_record, comments, changes, sentences),
             write_changes_md(out / CHANGES_MD, draft_record, final_record, changes, sentences),
             write_papers_xlsx(out / PAPERS_XLSX, f"{final_record.meta.unit}{final_record.meta.name}评价工作底稿（正式稿）",
                               final_record, build_papers(final_record, notes))]
    return final_subject, changes, sentences, files
