"""Named formulas (metrics): rates computed from a subject's figures with exact arithmetic.

A formula is a small arithmetic expression over figure names (`人员.在职人数`)
and other metric names. A missing figure or a zero denominator gives `NoValue`
with the reason, never inf, NaN or a silent score.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import yaml

from ..core.numbers import fmt, fmt_unit


@dataclass(frozen=True)
class NoValue:
    reason: str

    def __bool__(self) -> bool:
        return False


Value = Decimal | NoValue


@dataclass(frozen=True)
class Metric:
    name: str
    formula: str
    label: str = ""
    unit: str = "%"

    def show(self, value: Value) -> str:
        if isinstance(value, NoValue):
            return f"无值（{value.reason}）"
        return fmt_unit(value, self.unit)


class FormulaError(ValueError):
    pass


_ALLOWED_FUNCS = {"min": min, "max": max, "abs": abs}


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


@lru_cache(maxsize=4096)
def parse_formula(formula: str) -> ast.Expression:
    # Chinese quotes are not identifiers; formulas use plain names.
    try:
        tree = ast.parse(formula.replace("×", "*").replace("÷", "/"), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"公式“{formula}”无法解析：{exc.msg}") from None
    for node in ast.walk(tree):
        if isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult,
                             ast.Div, ast.USub, ast.UAdd, ast.Load, ast.Name, ast.Attribute)):
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _ALLOWED_FUNCS:
            continue
        raise FormulaError(f"公式“{formula}”含有不允许的写法：{ast.dump(node)[:40]}")
    return tree


def formula_names(formula: str) -> set[str]:
    """Figure and metric names a formula refers to."""
    tree = parse_formula(formula)
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        name = _dotted(node)
        if name is not None:
            names.add(name)
            return
        if isinstance(node, ast.Call):
            for arg in node.args:
                visit(arg)
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree.body)
    return names


@dataclass
class MetricSet:
    """The metrics a framework uses: the shared library plus the framework's own."""

    metrics: dict[str, Metric] = field(default_factory=dict)

    @classmethod
    def library(cls) -> "MetricSet":
        return cls(dict(_library()))

    def extended(self, extra: dict[str, Metric]) -> "MetricSet":
        merged = dict(self.metrics)
        merged.update(extra)
        return MetricSet(merged)

    def __contains__(self, name: str) -> bool:
        return name in self.metrics


@lru_cache(maxsize=1)
def _library() -> dict[str, Metric]:
    data = yaml.safe_load(resources.files("evallib.data").joinpath("metrics.yaml").read_text("utf-8"))
    return {name: Metric(name=name, **spec) for name, spec in data.items()}


def formula_cycles(metrics: dict[str, "Metric"]) -> list[list[str]]:
    """Formulas that refer to themselves through other formulas: each cycle once, as a path a → b → a."""
    cycles, done = [], set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycle = path[path.index(name):]
            key = frozenset(cycle)
            if key not in done:
                done.add(key)
                cycles.append(cycle + [name])
            return
        if name in finished or name not in metrics:
            return
        try:
            refs = formula_names(metrics[name].formula)
        except FormulaError:
            refs = set()
        for ref in sorted(refs):
            visit(ref, path + [name])
        finished.add(name)

    finished: set[str] = set()
    for name in sorted(metrics):
        visit(name, [])
    return cycles


class Calculator:
    """Evaluates metrics and figures for one subject; remembers what each value used."""

    def __init__(self, figures: dict[str, Decimal], metrics: MetricSet, labels: dict[str, str] | None = None,
                 units: dict[str, str] | None = None):
        self.figures = figures
        self.metrics = metrics
        self.labels = labels or {}  # figure name -> its catalogue label
        self.units = units or {}  # figure name -> its catalogue unit
        self._cache: dict[str, Value] = {}

    def value(self, name: str) -> Value:
        if name in self._cache:
            return self._cache[name]
        if name in self.metrics.metrics:
            result = self._eval_formula(self.metrics.metrics[name].formula, stack=(name,))
        elif name in self.figures:
            result = self.figures[name]
        else:
            result = NoValue(f"缺少数据“{name}”")
        self._cache[name] = result
        return result

    def label(self, name: str) -> str:
        metric = self.metrics.metrics.get(name)
        if metric and metric.label:
            return metric.label
        return self.labels.get(name, name)

    def unit(self, name: str) -> str | None:
        """The unit a formula's result or a figure is written in ('%' for rates); None when not known."""
        metric = self.metrics.metrics.get(name)
        return metric.unit if metric else self.units.get(name)

    def show(self, name: str, value: Value) -> str:
        metric = self.metrics.metrics.get(name)
        if metric:
            return metric.show(value)
        return f"无值（{value.reason}）" if isinstance(value, NoValue) else fmt(value)

    def formula(self, name: str) -> str | None:
        metric = self.metrics.metrics.get(name)
        return metric.formula if metric else None

    def leaf_inputs(self, name: str, _seen: tuple[str, ...] = ()) -> dict[str, Value]:
        """The figures a metric finally rests on, with their values (for traces)."""
        out: dict[str, Value] = {}
        metric = self.metrics.metrics.get(name)
        if metric is None:
            out[name] = self.value(name)
            return out
        seen = _seen + (name,)
        for ref in sorted(formula_names(metric.formula)):
            if ref in seen:
                continue  # a cycle (lint reports it); the value itself says so
            if ref in self.metrics.metrics:
                out.update(self.leaf_inputs(ref, seen))
            else:
                out[ref] = self.figures.get(ref, NoValue(f"缺少数据“{ref}”"))
        return out

    def _eval_formula(self, formula: str, stack: tuple[str, ...]) -> Value:
        tree = parse_formula(formula)
        return self._eval(tree.body, stack)

    def _eval(self, node: ast.AST, stack: tuple[str, ...]) -> Value:
        name = _dotted(node)
        if name is not None:
            if name in self.metrics.metrics:
                if name in stack:
                    return NoValue(f"公式循环引用：{' → '.join(stack[stack.index(name):] + (name,))}")
                return self._eval_formula(self.metrics.metrics[name].formula, stack + (name,))
            if name in self.figures:
                return self.figures[name]
            return NoValue(f"缺少数据“{name}”")
        if isinstance(node, ast.Constant):
            return Decimal(repr(node.value)) if isinstance(node.value, float) else Decimal(node.value)
        if isinstance(node, ast.UnaryOp):
            operand = self._eval(node.operand, stack)
            if isinstance(operand, NoValue):
                return operand
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Call):
            args = [self._eval(a, stack) for a in node.args]
            missing = next((a for a in args if isinstance(a, NoValue)), None)
            if missing is not None:  # NoValue is falsy: `missing or ...` would call min/max on it
                return missing
            return _ALLOWED_FUNCS[node.func.id](*args)
        if isinstance(node, ast.BinOp):
            left = self._eval(node.left, stack)
            right = self._eval(node.right, stack)
            for side in (left, right):
                if isinstance(side, NoValue):
                    return side
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if right == 0:
                return NoValue(f"分母“{ast.unparse(node.right)}”为零")
            return left / right
        raise FormulaError(f"无法计算：{ast.unparse(node)}")
