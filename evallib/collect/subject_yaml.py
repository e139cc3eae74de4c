"""Writing an imported subject as YAML a person reads: exact decimals, block text, flat short lists."""
from __future__ import annotations

from decimal import Decimal

import yaml


def plain_number(value: Decimal):
    """Decimal -> int or Decimal for YAML (written with its own digits)."""
    return int(value) if value == value.to_integral_value() else value.normalize()


class _Dumper(yaml.SafeDumper):
    pass


def _repr_decimal(dumper, value: Decimal):
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", f"{value.normalize():f}")  # every digit, no exponent


def _repr_str(dumper, value: str):
    style = "|" if "\n" in value else None  # narrative and evidence paragraphs stay readable
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _repr_list(dumper, value: list):
    # short scalars in one line ([1733.63, null, 1650.5], [年初预算数, 执行数]); paragraphs one per line
    flat = all(not isinstance(v, (dict, list)) and not (isinstance(v, str) and (len(v) > 40 or "\n" in v))
               for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat and bool(value))


def dump_subject(data: dict) -> str:
    head = "# 由 evalbook import 从数据填报模板导入；请以模板为准修改后重新导入。\n"
    return head + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                            width=1000)


_Dumper.add_representer(Decimal, _repr_decimal)
_Dumper.add_representer(str, _repr_str)
_Dumper.add_representer(list, _repr_list)
