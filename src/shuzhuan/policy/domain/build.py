"""Building a policy version in code from another rule file's values (e.g. a programme's level
subsidy), checked exactly as a policy file is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from shuzhuan.policy.domain.expr import BOOL, Compiled, Num, Type, compile_expr
from shuzhuan.policy.domain.model import Cap, Condition, FactCatalog, Parameter, PolicyVersion


def build_version(code: str, start: dt.date, until: dt.date | None, params: Mapping[str, Mapping[str, Any]],
                  conditions: Sequence[Mapping[str, str]], amount: str, caps: Sequence[Mapping[str, str]],
                  catalog: FactCatalog) -> PolicyVersion:
    """`params`: name → {value, source (a Citation), label?, unit?}; conditions: {label, when};
    caps: {label, limit, when?, already?, kind?}. Raises `ExprError` for a bad expression."""
    parameters = {name: Parameter(name, p["value"], p.get("label", name), p["source"], p.get("unit", ""))
                  for name, p in params.items()}
    values = {name: p.value for name, p in parameters.items()}
    types = {name: (spec.value_type, spec.by_year) for name, spec in catalog.items()}

    def c(source: str, want: Type = Num(0)) -> Compiled:  # noqa: B008 - an immutable value
        return compile_expr(source, types, values, start.year, want)

    from shuzhuan.policy.domain.engine import check_version

    version = PolicyVersion(
        policy=code, effective_from=start, effective_until=until, parameters=parameters,
        conditions=tuple(Condition(item["label"], c(item["when"], BOOL)) for item in conditions),
        amount=c(amount),
        caps=tuple(Cap(item.get("kind", "per_item"), item["label"], c(item["limit"]),
                       c(item["when"], BOOL) if item.get("when") else None,
                       c(item["already"]) if item.get("already") else None) for item in caps),
    )
    check_version(version)
    return version
