"""The extraction report (in Chinese): what was found, matched, not matched, and where each value came from."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Report:
    source: str
    found: list[str] = field(default_factory=list)  # tables found in the document
    matched: list[tuple] = field(default_factory=list)  # (id, name, value, where)
    unmatched: list[str] = field(default_factory=list)
    suggestions: list[tuple] = field(default_factory=list)  # (id, name, rule type, complete)
    values: list[tuple] = field(default_factory=list)  # (what, value, where)
    figures: list[tuple] = field(default_factory=list)  # (figure, label, value, where)
    to_check: list[str] = field(default_factory=list)  # values read but not drafted: ambiguous, unit unclear
    warnings: list[str] = field(default_factory=list)

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    def text(self, title: str) -> str:
        out = [f"# {title}", "", f"来源文件：{self.source}", "",
               "本文件为自动提取的草稿说明。草稿中的每个数均注明出处；未能匹配的项目列在下面，须人工补录。", ""]
        if self.found:
            out += ["## 文件中找到的表", ""] + [f"- {x}" for x in self.found] + [""]
        if self.matched:
            out += ["## 已提取（编号、名称、值、出处）", "", "| 编号 | 名称 | 值 | 出处 |", "|---|---|---|---|"]
            out += [f"| {i} | {n} | {'' if v is None else v} | {w} |" for i, n, v, w in self.matched] + [""]
        if self.suggestions:
            done = sum(1 for s in self.suggestions if s[3])
            out += ["## 建议的评分规则（均须确认）", "",
                    f"共 {len(self.suggestions)} 项，其中 {done} 项参数已从文字读全。", "",
                    "| 编号 | 名称 | 建议规则类型 | 参数 |", "|---|---|---|---|"]
            out += [f"| {i} | {n} | {t} | {'已读全' if c else '待补全'} |" for i, n, t, c in self.suggestions] + [""]
        if self.figures:
            out += ["## 基础数据（figures）", "", "从表格中认出的数据项，金额均为万元；原表为元的已精确换算并在出处中说明。", "",
                    "| 数据项 | 名称 | 值 | 出处 |", "|---|---|---|---|"]
            out += [f"| {f} | {n} | {v} | {w} |" for f, n, v, w in self.figures] + [""]
        if self.to_check:
            out += ["## 需核对（读到但未录入）", ""] + [f"- {x}" for x in self.to_check] + [""]
        if self.values:
            out += ["## 其他提取的数值", "", "| 项目 | 值 | 出处 |", "|---|---|---|"]
            out += [f"| {a} | {b} | {c} |" for a, b, c in self.values] + [""]
        out += ["## 未匹配 / 未提取", ""] + ([f"- {x}" for x in self.unmatched] or ["- 无"]) + [""]
        out += ["## 需要注意", ""] + ([f"- {x}" for x in self.warnings] or ["- 无"]) + [""]
        return "\n".join(out)
