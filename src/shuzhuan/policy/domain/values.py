"""Reading fact values given as JSON/YAML (strings for money, never binary floats) and showing them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shuzhuan.core.domain import format_yuan
from shuzhuan.policy.domain.model import DECIMAL_FACT_SCALE, FactSpec

MAX_AMOUNT = Decimal("1000000000000.00")
_MONEY = re.compile(r"^\d+(\.\d{1,2})?$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
MAX_INT = 10**9
MAX_DECIMAL = Decimal(10**8)


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class FactInputError(ValueError):
    """Given facts that do not fit: `errors` names every offending field (`facts.approved_amount`)."""

    def __init__(self, errors: Iterable[FieldError]):
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


def parse_value(spec: FactSpec, value: Any) -> Any:
    """A fact's value from JSON/YAML, or ValueError with the reason in Chinese."""
    kind = spec.type
    if kind == "money":
        if isinstance(value, bool) or isinstance(value, float):
            raise ValueError('金额应为字符串（最多两位小数，如 "1200000.00"）或整数，不接受浮点数')
        if isinstance(value, int):
            amount = Decimal(value)
        elif isinstance(value, Decimal):
            amount = value
        elif isinstance(value, str) and _MONEY.match(value.strip()):
            amount = Decimal(value.strip())
        elif isinstance(value, str) and value.strip().startswith("-") and _MONEY.match(value.strip()[1:]):
            raise ValueError("金额不能为负数")
        else:
            raise ValueError('金额应为字符串（最多两位小数，如 "1200000.00"）或整数')
        if amount < 0:
            raise ValueError("金额不能为负数")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError("金额最多两位小数（分）")
        if amount > MAX_AMOUNT:
            raise ValueError(f"金额不能超过 {format_yuan(MAX_AMOUNT)} 元")
        return amount.quantize(Decimal("0.01"))
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("应为整数")
        if abs(value) > MAX_INT:
            raise ValueError("整数过大")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError("应为 true 或 false")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise ValueError("应为文本")
        return value
    if kind == "decimal":
        if isinstance(value, bool) or isinstance(value, float):
            raise ValueError('小数应写成字符串（如 "0.35"），不接受浮点数')
        text = str(value).strip() if isinstance(value, (str, int, Decimal)) else ""
        if not _DECIMAL.match(text):
            raise ValueError('应为小数，写成字符串，如 "0.35"')
        number = Decimal(text)
        if abs(number) > MAX_DECIMAL:
            raise ValueError(f"绝对值不能超过 {MAX_DECIMAL}")
        if number != number.quantize(Decimal(1).scaleb(-DECIMAL_FACT_SCALE)):
            raise ValueError(f"最多 {DECIMAL_FACT_SCALE} 位小数")
        return number
    raise ValueError(f"未知的事实类型 {kind}")


def parse_facts(given: Mapping[str, Any], needed: Iterable[str], catalog: Mapping[str, FactSpec],
                prefix: str = "facts") -> dict[str, Any]:
    """The needed facts (keys such as `revenue[2024]`) read from `given`; every problem named."""
    from shuzhuan.policy.domain.model import base_name

    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    if not isinstance(given, Mapping):
        raise FactInputError([FieldError(prefix, "应为对象")])
    for key in needed:
        spec = catalog[base_name(key)]
        if key not in given or given[key] is None:
            errors.append(FieldError(f"{prefix}.{key}", f"缺少事实「{spec.label}」（{key}）"))
            continue
        try:
            values[key] = parse_value(spec, given[key])
        except ValueError as exc:
            errors.append(FieldError(f"{prefix}.{key}", f"「{spec.label}」{exc}"))
    if errors:
        raise FactInputError(errors)
    return values


def show(spec: FactSpec | None, value: Any) -> str:
    """A fact value in words: money with separators and 元, booleans as 是/否."""
    if value is None:
        return "（无数据）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if spec is not None and spec.type == "money":
        return f"{format_yuan(value)} 元"
    return str(value)


def to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value
