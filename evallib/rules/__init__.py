"""Scoring rules, looked up by their YAML `type` name in REGISTRY."""
from . import composite, evidence, quantitative, targets, trend  # noqa: F401  (registers the rule types)
from .base import REGISTRY, Rule, RuleContext, RuleResult, parse_rule

__all__ = ["REGISTRY", "Rule", "RuleContext", "RuleResult", "parse_rule"]
