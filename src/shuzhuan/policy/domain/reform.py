"""What-if: a reform is a parameter diff (and optionally changed conditions) on a policy version,
evaluated on the same fact frame as the baseline — cost, beneficiaries, gainers and losers by group."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from shuzhuan.policy.domain.engine import amount_from_cents, evaluate_frame
from shuzhuan.policy.domain.expr import BOOL, Compiled, ExprError, Num, Type, compile_expr, value_type
from shuzhuan.policy.domain.model import Citation, Condition, FactCatalog, PolicyVersion
from shuzhuan.policy.domain.values import FactInputError, FieldError

DRAFT = Citation("改革方案（草案）", verified=False, note="测算用，尚未发布")


def _value(raw: Any) -> Any:
    if isinstance(raw, float):
        raise ValueError('小数请写成字符串（如 "0.20"）')
    if isinstance(raw, str):
        try:
            return Decimal(raw) if raw.strip().lstrip("-").replace(".", "", 1).isdigit() else raw
        except ArithmeticError:
            return raw
    if isinstance(raw, Mapping):
        return {k: _value(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_value(v) for v in raw]
    return raw


def reformed(version: PolicyVersion, changes: Mapping[str, Any], catalog: FactCatalog,
             conditions: Mapping[int, str] | None = None, source: Citation = DRAFT) -> PolicyVersion:
    """The version with `changes` (parameter name → new value) and condition texts replaced by index;
    every expression is checked again (a new value may change a number's scale). Raises
    `FactInputError` naming `parameters.<name>` or `conditions.<i>`."""
    errors: list[FieldError] = []
    params = dict(version.parameters)
    for name, raw in changes.items():
        if name not in params:
            errors.append(FieldError(f"parameters.{name}", "此政策版本没有该参数"))
            continue
        try:
            value = _value(raw)
            if type(value_type(value)) is not type(value_type(params[name].value)):
                raise ValueError(f"类型应与原值一致（原值 {params[name].value!r}）")
        except (ValueError, ExprError) as exc:
            errors.append(FieldError(f"parameters.{name}", str(exc)))
            continue
        params[name] = dataclasses.replace(params[name], value=value, source=source)
    if errors:
        raise FactInputError(errors)
    values = {n: p.value for n, p in params.items()}
    types = {n: (s.value_type, s.by_year) for n, s in catalog.items()}

    def again(compiled: Compiled, field: str, want: Type = Num(0)) -> Compiled:  # noqa: B008
        try:
            return compile_expr(compiled.source, types, values, version.effective_from.year, want)
        except ExprError as exc:
            errors.append(FieldError(field, str(exc)))
            return compiled

    new_conditions = []
    for index, condition in enumerate(version.conditions):
        text = (conditions or {}).get(index)
        test = condition.test if text is None else dataclasses.replace(condition.test, source=text)
        new_conditions.append(Condition(condition.label, again(test, f"conditions.{index}", BOOL), condition.unmet))

    def maybe(compiled: Compiled | None, field: str, want: Type = Num(0)) -> Compiled | None:  # noqa: B008
        return None if compiled is None else again(compiled, field, want)
    result = dataclasses.replace(
        version, parameters=params, conditions=tuple(new_conditions), amount=again(version.amount, "amount"),
        caps=tuple(dataclasses.replace(c, limit=again(c.limit, f"caps.{i}.limit"),
                                       when=maybe(c.when, f"caps.{i}.when", BOOL),
                                       already=maybe(c.already, f"caps.{i}.already"))
                   for i, c in enumerate(version.caps)),
        difference=(dataclasses.replace(version.difference, subtract=again(version.difference.subtract, "difference"))
                    if version.difference else None),
        quota=(dataclasses.replace(version.quota, rank_by=again(version.quota.rank_by, "quota"))
               if version.quota else None),
    )
    if errors:
        raise FactInputError(errors)
    from shuzhuan.policy.domain.engine import check_version

    try:
        check_version(result)
    except ExprError as exc:
        raise FactInputError([FieldError("parameters", str(exc))]) from None
    return result


@dataclass(frozen=True)
class WhatIf:
    cost_before: Decimal
    cost_after: Decimal
    beneficiaries_before: int
    beneficiaries_after: int
    gainers: int
    losers: int
    by_group: Mapping[str, pl.DataFrame]  # group column → rows: group, before, after, gainers, losers

    @property
    def cost_change(self) -> Decimal:
        return self.cost_after - self.cost_before


def what_if(base: PolicyVersion, reform: PolicyVersion, on: dt.date, frame: pl.DataFrame,
            groups: Sequence[str] = ()) -> WhatIf:
    """Both versions over the same frame; `groups` are columns of `frame` (town, industry, size)."""
    before = evaluate_frame(base, on, frame).select("subject", pl.col("amount_cents").alias("before"))
    after = evaluate_frame(reform, on, frame).select("subject", pl.col("amount_cents").alias("after"))
    joined = before.join(after, on="subject").with_columns(delta=pl.col("after") - pl.col("before"))
    if groups:
        joined = joined.join(frame.select("subject", *groups), on="subject", how="left")
    totals = joined.select(pl.col("before").sum(), pl.col("after").sum(), (pl.col("before") > 0).sum().alias("nb"),
                           (pl.col("after") > 0).sum().alias("na"), (pl.col("delta") > 0).sum().alias("g"),
                           (pl.col("delta") < 0).sum().alias("l")).row(0)
    by_group = {
        group: joined.group_by(group).agg(pl.col("before").sum(), pl.col("after").sum(),
                                          (pl.col("delta") > 0).sum().alias("gainers"),
                                          (pl.col("delta") < 0).sum().alias("losers")).sort(group, nulls_last=True)
        for group in groups
    }
    return WhatIf(amount_from_cents(totals[0] or 0), amount_from_cents(totals[1] or 0), int(totals[2]),
                  int(totals[3]), int(totals[4]), int(totals[5]), by_group)
