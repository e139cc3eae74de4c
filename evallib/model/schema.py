"""JSON Schemas for framework and subject files, from the same pydantic models that validate them.

Editors (VS Code with the YAML extension, JupyterLab with the LSP YAML server) use them to flag a
misspelt key, a wrong rule type or a missing field while the file is typed.
"""
from __future__ import annotations

import json
from typing import Annotated, Union

from pydantic import Field, TypeAdapter

from ..rules import REGISTRY
from .framework import FrameworkSpec
from .subject import SubjectSpec

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
FILES = {"framework": "evalbook-framework.schema.json", "subject": "evalbook-subject.schema.json"}


def _rule_schema() -> dict:
    """Every registered rule type, told apart by its `type`."""
    union = Annotated[Union[tuple(REGISTRY[name] for name in sorted(REGISTRY))], Field(discriminator="type")]
    return TypeAdapter(union).json_schema(ref_template="#/$defs/{model}")


def framework_schema() -> dict:
    schema = FrameworkSpec.model_json_schema()
    rules = _rule_schema()
    defs = schema.setdefault("$defs", {})
    for name, spec in rules.pop("$defs", {}).items():
        assert name not in defs or defs[name] == spec, f"schema definition {name} defined twice"
        defs[name] = spec
    defs["Rule"] = rules
    node = defs["NodeSpec"]["properties"]
    node["rule"] = {"anyOf": [{"$ref": "#/$defs/Rule"}, {"type": "null"}], "default": None,
                    "description": "评分规则（type 决定其余字段）"}
    defs["SlotSpec"]["properties"]["rule"] = {"$ref": "#/$defs/Rule"}
    return {"$schema": SCHEMA_DIALECT, "title": "evalbook 指标体系文件", **schema}


def subject_schema() -> dict:
    return {"$schema": SCHEMA_DIALECT, "title": "evalbook 评价对象文件", **SubjectSpec.model_json_schema()}


def schema_text(kind: str) -> str:
    schema = framework_schema() if kind == "framework" else subject_schema()
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
