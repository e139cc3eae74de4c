"""Rules fed by the subject's per-indicator inputs: checklist, judgement, outside score, not applicable."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.numbers import ZERO, Num, Points, fmt, to_decimal
from .base import InputIssue, Rule, RuleContext, RuleResult, read_number, register, unique
from .shares import _partly_problems, score_with_shares, share_text


class Point(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    text: str
    points: Points | None = Field(default=None, ge=0)


def _ids(values) -> list[str]:
    return [str(v) for v in (values or [])]


@register
class ChecklistRule(Rule):
    """评价要点: each point met earns its points (earn), or each point missed / violation costs them (deduct)."""

    type: Literal["checklist"]
    mode: Literal["earn", "deduct"]
    items: list[Point] = []
    per_item: Points | None = Field(default=None, ge=0)  # points of an item that names none; per violation in deduct mode

    per_case: Num | None = Field(default=None, gt=0, le=1)  # share of the full marks lost per case found
    case_text: str = ""  # what counts as a case, as printed (发现一例违规)

    label = "评价要点（逐项计分或扣分）"

    @field_validator("items")
    @classmethod
    def _unique_items(cls, items):
        return unique(items, lambda i: i.id, "评价要点编号")

    def check_values(self, given, weight) -> list[InputIssue]:
        issues: list[InputIssue] = []
        known = [i.id for i in self.items]
        lists = {}
        for key in ("met", "missed"):
            raw = given.get(key)
            if raw is None:
                continue
            if not isinstance(raw, list) or any(isinstance(x, (list, dict, bool)) or x is None for x in raw):
                issues.append(InputIssue(key, "应为评价要点编号的列表，如 [\"1\", \"3\"]", raw))
                continue
            ids = _ids(raw)
            unknown = [x for x in ids if x not in known]
            repeated = sorted({x for x in ids if ids.count(x) > 1})
            if unknown:
                shown = "、".join(f"“{x}”" for x in unknown)
                issues.append(InputIssue(key, f"评价要点编号{shown}不存在；可用编号：{'、'.join(known) or '无'}", raw))
            elif repeated:
                issues.append(InputIssue(key, f"评价要点编号重复：{'、'.join(repeated)}", raw))
            else:
                lists[key] = ids
        if "met" in lists and "missed" in lists:
            both = [x for x in lists["met"] if x in lists["missed"]]
            neither = [x for x in known if x not in lists["met"] and x not in lists["missed"]]
            if both:
                issues.append(InputIssue("met", f"要点 {'、'.join(both)} 同时列在 met（满足）与 missed（未满足）中，自相矛盾",
                                         given.get("met")))
            elif neither:
                issues.append(InputIssue("missed", f"同时填写 met 与 missed 时须列全所有要点；未列出：{'、'.join(neither)}",
                                         given.get("missed")))
        count = read_number(given, "violations", issues, whole=True) if self.mode == "deduct" else None
        if given.get("violations") is not None and (given.get("met") is not None or given.get("missed") is not None):
            issues.append(InputIssue("violations", "violations（不符合例数）与 met / missed 只能填一种", given["violations"]))
        elif count and self.per_item is None:
            issues.append(InputIssue("violations", "评分规则未规定每例扣分（per_item），不能按例数扣分；请改填 missed",
                                     given["violations"]))
        if self.per_case is not None:
            read_number(given, "cases", issues, whole=True)
        return issues + self._partly_issues(given)

    def _partly_issues(self, given) -> list[InputIssue]:
        """Points met in part (partly: {id: {lose, evidence}}) name real items, not also met or missed."""
        partly = given.get("partly")
        if partly is None or not self.items:
            return []
        if not isinstance(partly, dict):
            return [InputIssue("partly", "应为键值表：要点编号 → {lose: 比例, evidence: 依据}", partly)]
        issues = []
        known = {i.id for i in self.items}
        listed = [x for key in ("met", "missed") for x in _ids(given.get(key) or [])]
        for item_id, entry in partly.items():
            if str(item_id) not in known:
                issues.append(InputIssue(f"partly.{item_id}", f"评价要点编号“{item_id}”不存在；可用编号：{'、'.join(known)}",
                                         item_id))
            issues += [InputIssue(where, message, value)
                       for where, message, value in _partly_problems(entry, f"partly.{item_id}")]
            if str(item_id) in listed:
                issues.append(InputIssue(f"partly.{item_id}", "同一要点不能既部分满足又列在 met / missed 中", item_id))
        if given.get("met") is None and given.get("missed") is None:
            issues.append(InputIssue("partly", "部分满足的要点须与 met 或 missed 一同填写（其余要点是否满足须写明）"))
        return issues

    def accepted_inputs(self) -> dict[str, str]:
        fields = {"met": "满足的要点编号列表", "missed": "未满足的要点编号列表"}
        if self.mode == "deduct":
            fields["violations"] = "不符合例数"
        if self.items:
            fields["partly"] = "部分满足的要点：编号 → {lose: 该要点分值扣除的比例, evidence: 依据}"
        if self.per_case is not None:
            fields["cases"] = f"{self.case_text or '发现的问题'}例数（每例扣分值的{share_text(self.per_case)}）"
        fields["evidence"] = "得分依据（文字）"
        return fields

    def formula_text(self) -> str:
        listing = "；".join(f"{i.id}.{i.text}（{fmt(self.item_points(i))}分）" for i in self.items)
        if self.mode == "earn":
            formula = f"每满足一项评价要点得相应分值：{listing}" if listing else "每满足一项评价要点得分"
        else:
            per = f"每一项（例）不符合扣{fmt(self.per_item)}分" if self.per_item is not None else "每一项不符合扣相应分值"
            formula = f"{per}，扣完为止" + (f"：{listing}" if listing else "")
        if self.per_case is not None:
            formula += f"；{self.case_text or '每发现一例问题'}，扣分值的{share_text(self.per_case)}，扣完为止"
        return formula

    def item_points(self, item: Point) -> Decimal:
        return item.points if item.points is not None else (self.per_item or ZERO)

    def full_marks(self, weight: Decimal) -> Decimal:
        if self.max is not None:
            return self.max
        if self.mode == "earn" and self.items:
            return sum((self.item_points(i) for i in self.items), ZERO)
        return weight

    def evaluate(self, ctx: RuleContext) -> RuleResult:
        if self.per_case is not None or ctx.given.get("partly"):
            return score_with_shares(self, ctx)
        full = self.full_marks(ctx.weight)
        formula = self.formula_text()
        given = ctx.given
        known = {i.id: i for i in self.items}
        evidence = str(given.get("evidence", "") or "")
        if given.get("met") is not None or given.get("missed") is not None:
            if given.get("met") is not None:
                met = _ids(given["met"])
                missed = [i for i in known if i not in met]
            else:
                missed = _ids(given["missed"])
                met = [i for i in known if i not in missed]
            unknown = [x for x in met + missed if x not in known]
            if unknown:
                return RuleResult.missing(formula, f"评价要点编号不存在：{'、'.join(unknown)}")
            inputs = {"满足的要点": "、".join(met) or "无", "未满足的要点": "、".join(missed) or "无"}
            if self.mode == "earn":
                score = sum((self.item_points(known[i]) for i in met), ZERO)
                text = f"满足{len(met)}项要点，得{fmt(score)}分"
            else:
                lost = sum((self.item_points(known[i]) for i in missed), ZERO)
                score = max(ZERO, full - lost)
                text = f"{len(missed)}项要点不符合，扣{fmt(lost)}分" if missed else "各项要点均符合，得满分"
            if missed:
                text += "；未满足：" + "；".join(known[i].text for i in missed)
            return RuleResult(score, formula, inputs, text, evidence=evidence)
        if given.get("violations") is not None and self.mode == "deduct":
            count = to_decimal(given["violations"])
            per = self.per_item or ZERO
            score = max(ZERO, full - count * per)
            text = "未发现不符合情形，得满分" if count == 0 else f"发现{fmt(count)}例不符合，扣{fmt(count * per)}分"
            return RuleResult(score, formula, {"不符合例数": fmt(count)}, text, evidence=evidence)
        return RuleResult.missing(formula, "缺少评价要点核查结果（met / missed / violations）")


class Level(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    score: Points = Field(ge=0)


@register
class JudgementRule(Rule):
    """Evaluator's score within the weight, with a written reason (得分依据)."""

    type: Literal["judgement"]
    levels: list[Level] = []  # printed grades such as 效果较好 6 / 一般 3 / 无效果 0
    bands_of_weight: list[Num] = []  # e.g. [1, 0.8, 0.6, 0]: 100–80% / 80–60% / 60–0% of the weight

    label = "评价人员判断"

    @field_validator("levels")
    @classmethod
    def _unique_levels(cls, levels):
        return unique(levels, lambda lv: lv.label, "评价档次")

    def check_values(self, given, weight) -> list[InputIssue]:
        issues: list[InputIssue] = []
        full = self.full_marks(weight)
        score = read_number(given, "score", issues, full, "该项满分")
        level = given.get("level")
        if level is not None and self.levels:
            match = next((lv for lv in self.levels if lv.label == str(level).strip()), None)
            if match is None:
                issues.append(InputIssue("level", f"评价档次不在评分标准所列档次中；可选：{'、'.join(lv.label for lv in self.levels)}", level))
            elif score is not None and score != match.score:
                issues.append(InputIssue("score", f"与评价档次“{match.label}”对应的 {fmt(match.score)} 分不一致", given["score"]))
        return issues

    def accepted_inputs(self) -> dict[str, str]:
        levels = "：" + "、".join(lv.label for lv in self.levels) if self.levels else "（文字）"
        fields = {"score": "评价人员评分", "level": "评价档次" + levels}
        return fields | {"evidence": "得分依据（文字）"}

    def evaluate(self, ctx: RuleContext) -> RuleResult:
        full = self.full_marks(ctx.weight)
        if self.levels:
            formula = "评价人员判断：" + "；".join(f"{lv.label}{fmt(lv.score)}分" for lv in self.levels)
        elif self.bands_of_weight:
            b = self.bands_of_weight
            formula = "评价人员判断，按分值比例分档：" + "；".join(
                f"{fmt(b[i] * 100)}%–{fmt(b[i + 1] * 100)}%" for i in range(len(b) - 1))
        else:
            formula = f"评价人员在0–{fmt(full)}分之间判断，并写明理由"
        given = ctx.given
        evidence = str(given.get("evidence", "") or "")
        if given.get("score") is None:
            # a printed level (效果较好 / 一般 / 无效果) determines the score by itself
            level = next((lv for lv in self.levels if given.get("level") and lv.label == str(given["level"]).strip()), None)
            if level is None:
                reason = (f"评价档次“{given['level']}”不在评分标准所列档次中" if given.get("level") and self.levels
                          else "评价人员判断项，未录入评价人员评分")
                return RuleResult(None, formula, {}, "", evidence=evidence, reason=reason, recomputable=False)
            score = level.score
        else:
            score = to_decimal(given["score"])
        inputs = {"评价人员评分": fmt(score)}
        if given.get("level"):
            inputs["评价档次"] = str(given["level"])
        text = f"评价人员评定{fmt(score)}分" + (f"（{given['level']}）" if given.get("level") else "")
        if not evidence:
            text += "；未写明得分依据"
        return RuleResult(score, formula, inputs, text, evidence=evidence, recomputable=False)


@register
class ConversionRule(Rule):
    """Score = outside score / its maximum × weight (e.g. 绩效办考核得分 / 350 × 8)."""

    type: Literal["conversion"]
    outside_max: Points = Field(gt=0)
    outside_name: str = "外部考核得分"

    label = "外部得分折算"

    def check_values(self, given, weight) -> list[InputIssue]:
        issues: list[InputIssue] = []
        read_number(given, "outside_score", issues, self.outside_max, f"{self.outside_name}满分")
        return issues

    def accepted_inputs(self) -> dict[str, str]:
        return {"outside_score": f"{self.outside_name}（满分{fmt(self.outside_max)}）", "evidence": "得分依据（文字）"}

    def evaluate(self, ctx: RuleContext) -> RuleResult:
        full = self.full_marks(ctx.weight)
        formula = f"得分 = {self.outside_name} / {fmt(self.outside_max)} × {fmt(full)}"
        raw = ctx.given.get("outside_score")
        if raw is None:
            return RuleResult.missing(formula, f"缺少{self.outside_name}（outside_score）")
        outside = to_decimal(raw)
        score = min(full, outside / self.outside_max * full)
        return RuleResult(score, formula, {self.outside_name: fmt(outside)},
                          f"{self.outside_name}{fmt(outside)}，折算得分 {fmt(outside)} / {fmt(self.outside_max)} × {fmt(full)} = {fmt(score)}",
                          evidence=str(ctx.given.get("evidence", "") or ""))


@register
class NotApplicableRule(Rule):
    """不适用: the item carries no weight and no score."""

    type: Literal["not_applicable"]

    label = "不适用"

    def evaluate(self, ctx: RuleContext) -> RuleResult:
        return RuleResult(None, "不适用，不计分值", {}, "本项不适用", applicable=False)
