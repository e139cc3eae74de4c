"""Suggest a machine rule for a printed 评分标准: recognise the wording, fill what the text states.

A suggestion is never final: the framework draft marks each one as suggested (建议) and keeps the
printed text beside it. Parameters that cannot be read from the text are left for a person; the rule
then falls back to an evaluator's judgement so the draft still loads.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .normalize import half_width

NUM = r"(\d+(?:\.\d+)?)"
_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass
class Suggestion:
    type: str  # deduct / bands / proportional / linear / checklist / conversion / composite / judgement
    reason: str  # the wording that was recognised
    rule: dict = field(default_factory=dict)  # a loadable rule (falls back to judgement)
    complete: bool = False  # all parameters read from the text


def _num(text: str) -> Decimal:
    return Decimal(text)


def _cn(text: str) -> str:
    return re.sub(r"[一二两三四五六七八九十](?=个?百分点|%)", lambda m: str(_CN[m.group(0)]), text)


def _deduct_params(t: str, name: str) -> dict | None:
    m = re.search(r"每(超过|超出|高于|低于|下降|降低|减少|减|上升|增加|超过（降低）|超过\(降低\)|偏离)?\s*" + NUM +
                  r"?\s*(?:个)?(%|百分点|个百分点)?[^，,；;。]*?扣\s*" + NUM + r"\s*分", t)
    if not m:
        return None
    word, per, points = m.group(1) or "", m.group(2) or "1", m.group(4)
    if "降低" in word and "超过" in word:
        direction = "both"
    elif word in ("低于", "下降", "降低", "减少", "减"):
        direction = "below"
    else:
        direction = "above"
    target = re.search(r"(?:以|达到|等于|为)?\s*" + NUM + r"\s*%\s*(?:为标准|计满分|以下|以上|（含）|\(含\))", t) \
        or re.search(NUM + r"\s*%", t)
    return {"type": "deduct", "input": name, "target": f"{target.group(1)}%" if target else "100%",
            "direction": direction, "per": f"{per}%", "points": _num(points)}


def _bands_params(t: str, name: str) -> dict | None:
    bands = []
    for part in re.split(r"[；;。]|\s(?=\d+[.、])", t):
        score = re.search(r"(?:得|计)\s*" + NUM + r"\s*分", part)
        if not score:
            continue
        lo = re.search(r"(?:≥|>=|大于或等于|不低于)\s*" + NUM + r"\s*%|" + NUM + r"\s*%\s*(?:（含）|\(含\))?\s*(?:以上|及以上)", part)
        hi = re.search(r"(?:<|＜|低于|小于)\s*" + NUM + r"\s*%", part)
        if lo:
            value = lo.group(1) or lo.group(2)
            bands.append({"min": f"{value}%", "score": _num(score.group(1))})
        elif hi and not lo:
            bands.append({"max": f"{hi.group(1)}%", "max_inclusive": False, "score": _num(score.group(1))})
    return {"type": "bands", "input": name, "bands": bands} if len(bands) >= 2 else None


def suggest(criteria: str, name: str = "", weight: Decimal | None = None) -> Suggestion:
    t = _cn(half_width(criteria or "")).replace(" ", "")
    judgement = {"type": "judgement"}
    if not t:
        return Suggestion("judgement", "无评分标准文字", judgement)
    if re.search(r"考核得分|考评得分|/\s*\d{3}\s*[×*]|折算", t):
        m = re.search(r"/\s*" + NUM + r"\s*[×*]", t)
        rule = {"type": "conversion", "outside_max": _num(m.group(1))} if m else judgement
        return Suggestion("conversion", "外部得分折算", rule, m is not None)
    numbered = re.findall(r"(?:^|[\s；;。])(\d)[.、]", t)
    scored_parts = re.findall(r"[（(]\d+(?:\.\d+)?分[）)]", t)
    several = len(set(numbered)) >= 2 or len(scored_parts) >= 2
    if (len(re.findall(r"得分=", t)) >= 2 or len(re.findall(r"率=", t)) >= 2
            or (several and re.search(r"分档", t))
            or (several and len(scored_parts) >= 2 and re.search(r"得分=|\d%[^；;。]*扣\d", t))):
        return Suggestion("composite", "多个分项各自计分", judgement)
    item_points = re.findall(r"(?:[，,]|\s)\d+(?:\.\d+)?\s*分(?:[；;。]|$)", t)
    if re.search(r"超支\S{0,4}扣减", t):
        return Suggestion("deduct", "超出标准按比例扣分", judgement)
    if re.search(r"完成率法|同比例|按比例|率计算得分|实际到位率|×\s*\d*(?:\.\d+)?\s*分|\*\s*分值|得分=.*?率\s*[×*]|=已完成.*?[×*]", t):
        rule = {"type": "proportional", "input": name}
        return Suggestion("proportional", "按完成比例计分", rule, True)
    score_marks = re.findall(r"(?:得|计)\s*\d+(?:\.\d+)?\s*分", t)
    if len(score_marks) >= 3 and re.search(r"%", t) and not re.search(r"每(?:超过|低于|下降|降低|超出|减少)", t):
        params = _bands_params(t, name)
        return Suggestion("bands", "按区间分档计分", params or judgement, params is not None)
    if re.search(r"满分", t) and re.search(r"不得分|得0分|得零分|计0分", t) and len(re.findall(r"\d+(?:\.\d+)?%", t)) >= 2 \
            and re.search(r"每", t):
        thresholds = list(dict.fromkeys(re.findall(NUM + r"%", t)))  # distinct, in printed order
        if len(thresholds) < 2:
            return Suggestion("linear", "两个阈值之间递减", judgement)
        rule = {"type": "linear", "input": name, "full_at": f"{thresholds[0]}%", "zero_at": f"{thresholds[1]}%"}
        return Suggestion("linear", "两个阈值之间递减", rule, True)
    if re.search(r"超过\d+(?:\.\d+)?%的?不(?:计|得)分", t):
        return Suggestion("linear", "超过阈值不得分", judgement)
    if len(item_points) >= 2 or re.search(r"否则(?:得零分|不得分|得0分)|发现[^；;。]*不得分|一项[^；;。]{0,12}扣|每出现一个", t):
        rule = {"type": "checklist", "mode": "earn"}
        return Suggestion("checklist", "逐项得分", rule, False)
    if re.search(r"每(?:缺|少)一项|一项不符合|每项.*?(?:加|得)|每出现一[例项次]|每发现一[例项次]|发现一项|评价要点|"
                 r"不符合要求的扣|每一项", t):
        per = re.search(r"扣\s*" + NUM + r"\s*分", t)
        earn = re.search(r"每项.*?加\s*" + NUM, t)
        if earn:
            rule = {"type": "checklist", "mode": "earn", "per_item": _num(earn.group(1))}
        else:
            rule = {"type": "checklist", "mode": "deduct", "per_item": _num(per.group(1)) if per else Decimal(1)}
        return Suggestion("checklist", "逐项加分或扣分", rule, True)
    if re.search(r"每[^，,；;。]{0,12}?(?:%|百分点|个百分点)[^，,；;。]*?扣", t) or re.search(r"每(?:超过|低于|下降|降低|超出|减少)", t):
        params = _deduct_params(t, name)
        return Suggestion("deduct", "超出标准按单位扣分", params or judgement, params is not None)
    if len(score_marks) >= 2 and re.search(r"%", t):
        params = _bands_params(t, name)
        return Suggestion("bands", "按区间分档计分", params or judgement, params is not None)
    if len(scored_parts) >= 1 and not re.search(r"%", t):
        return Suggestion("checklist", "评价要点各有分值", {"type": "checklist", "mode": "earn"}, False)
    if re.search(r"率\s*[=＝]", t) and not re.search(r"得|扣|计\d", t):
        return Suggestion("proportional", "只给出比率公式：按比率计分", {"type": "proportional", "input": name}, False)
    return Suggestion("judgement", "未识别出可计算的规则：由评价人员判断", judgement, True)
