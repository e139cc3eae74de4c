"""The 复核意见书 (opinion.py) as one HTML page: the exporters turn it into PDF (html_to_pdf) and Word
(html_to_docx), so A4, fonts and page numbers are theirs. Deterministic: same record, same bytes."""
from __future__ import annotations

from .fonts import CSS_FONT_STACK
from .opinion import Opinion
from .render import esc

SIGN_FIRST = "评价机构（盖章）："  # the signature block's first line (the Word layout finds the block by it)
CSS = """
body { font-family: __FONT__; font-size: 11pt; line-height: 1.7; color: #000; max-width: 180mm; margin: 0 auto; }
h1 { font-size: 17pt; text-align: center; margin: 6mm 0 8mm; line-height: 1.4; }
h2 { font-size: 13pt; margin: 6mm 0 2mm; }
h3 { font-size: 11.5pt; margin: 4mm 0 1mm; }
p { margin: 1.5mm 0; text-indent: 2em; }
p.eb-addressee, p.eb-caption, p.eb-intro-flat { text-indent: 0; }
p.eb-caption { text-align: center; font-weight: bold; margin-top: 3mm; }
ol, ul { margin: 1mm 0 1mm 2em; padding: 0; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 3mm; font-size: 9pt; line-height: 1.45; }
th, td { border: 0.6pt solid #666; padding: 1.2mm 1.5mm; vertical-align: top; text-align: left; }
th { background: #eee; font-weight: bold; text-align: center; }
td.num { text-align: right; white-space: nowrap; }
td.c { text-align: center; white-space: nowrap; }
td.sev-错误 { color: #b00020; font-weight: bold; }
table.eb-findings td:nth-child(4) { width: 24%; }
table.eb-findings td:nth-child(7) { width: 17%; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
section.eb-opinion-sign { margin-top: 12mm; break-inside: avoid; }
section.eb-opinion-sign p { text-indent: 0; margin: 2.5mm 0 2.5mm 42%; }
"""


def _table(head: list[str], rows: list[list[tuple[str, str]]], caption: str = "", cls: str = "") -> str:
    """rows: cells as (text, css class)."""
    out = [f'<p class="eb-caption">{esc(caption)}</p>'] if caption else []
    out.append((f'<table class="{cls}">' if cls else "<table>") + "<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead><tbody>")
    for row in rows:
        cells = "".join(f'<td class="{cls}">{esc(text)}</td>' if cls else f"<td>{esc(text)}</td>" for text, cls in row)
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _p(text: str, cls: str = "") -> str:
    return f'<p class="{cls}">{esc(text)}</p>' if cls else f"<p>{esc(text)}</p>"


def _basis(op: Opinion) -> list[str]:
    items = "".join(f"<li>{esc(b)}</li>" for b in op.basis)
    return ["<h2>一、复核依据</h2>", _p("本次复核依据：", "eb-intro-flat"), f"<ol>{items}</ol>",
            *[_p(t) for t in op.method]]


def _conclusion(op: Opinion) -> list[str]:
    out = ["<h2>二、复核结论</h2>", _p("".join(op.conclusion))]
    if op.readings:
        out.append(_p(f"指标体系部分评分标准存在不同理解，复核按{len(op.readings)}种其他解读口径分别测算如下："))
        out.append(_table(["序号", "解读口径", "合计", "等级"],
                          [[(str(i), "c"), (d, ""), (t, "num"), (g, "c")] for i, (d, t, g) in enumerate(op.readings, 1)],
                          "其他解读口径下的合计与等级"))
    out.append(_p(op.readings_text))
    out.append(_p(op.findings_text))
    return out


def _coverage(op: Opinion) -> list[str]:
    out = ["<h2>三、复核范围与覆盖</h2>", _p(op.scope), _p(op.coverage_text)]
    if op.adopted_intro:
        out.append(_p(op.adopted_intro))
    if op.adopted:
        out.append(_table(["序号", "指标", "分值", f"采用{op.filed}的原因"],
                          [[(str(i), "c"), (name, ""), (pts, "num"), (reason, "")]
                           for i, (name, pts, reason) in enumerate(op.adopted, 1)],
                          f"采用{op.filed}的指标"))
    return out


def _findings(op: Opinion) -> list[str]:
    out = ["<h2>四、复核发现</h2>"]
    if not op.findings:
        return out + [_p("复核未发现问题。")]
    out.append(_table(
        ["序号", "程度", "指标或数据", "出现位置", "单位所列", "复核值", "影响", "处理"],
        [[(str(r.number), "c"), (r.severity, f"c sev-{r.severity}"), (r.subject, ""), ("；".join(r.places) or "—", ""),
          (r.claimed, ""), (r.recomputed, ""), (r.effect, ""), (r.action, "c")] for r in op.findings],
        "复核发现", "eb-findings"))
    out.append("<h3>各项发现说明</h3>")
    out += [_p(f"{r.number}. 【{r.severity}·{r.category}】{r.message}处理：{r.action}。", "eb-intro-flat")
            for r in op.findings]
    return out


def _evidence(op: Opinion) -> list[str]:
    out = ["<h2>五、补证清单</h2>", _p(op.evidence_intro)]
    if op.evidence:
        out.append(_table(["序号", "指标", f"{op.filed}", "需补充的资料", "提供情况"],
                          [[(str(e.number), "c"), (e.subject, ""), (e.filed, "num"), (e.needed, ""),
                            ("□已提供　□无法提供", "c")] for e in op.evidence],
                          "补证清单"))
    return out


def _signature(op: Opinion) -> list[str]:
    s = op.signature
    return ['<section class="eb-opinion-sign">',
            _p(f"{SIGN_FIRST}{s['firm']}"),
            _p(f"主评人（签字）：＿＿＿＿＿＿（{s['lead']}）"),
            _p(f"日期：{s['date']}"),
            _p("（机构盖章处）"),
            "</section>"]


def opinion_html(op: Opinion) -> str:
    body = [f"<h1>{esc(op.title)}</h1>", _p(op.addressee, "eb-addressee"), _p(op.opening),
            *_basis(op), *_conclusion(op), *_coverage(op), *_findings(op), *_evidence(op), *_signature(op)]
    css = CSS.replace("__FONT__", CSS_FONT_STACK)
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{esc(op.title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")
