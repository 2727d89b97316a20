"""One rule, two engines, one answer.

`evaluate` (single) runs a policy version for one subject in `Decimal`, optionally with a trace that
names every condition, fact value and parameter value (with its source) in plain Chinese.
`evaluate_frame` (batch) compiles the same version to polars expressions over a fact frame (one row
per subject; money columns in cents) and returns eligibility and amount for all subjects at once.

The amount, in both engines: if every condition holds, `max(0, amount)` rounded; then each cap that
applies (`when`), `min(amount, max(0, limit − already))`; then the difference rule,
`max(0, amount − subtract)`; then rounded again (a cap need not be on the cent grid). A subject
with a fact missing (None / null) is *undecided*: not eligible, amount 0, the missing facts listed.
Quotas rank the eligible within a run (`apply_quota`); a single evaluation only states the quota.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from shuzhuan.core.domain import format_yuan
from shuzhuan.policy.domain.expr import EXACT, YEAR, Compiled, Fact, Lit, Num, bound, render, to_polars
from shuzhuan.policy.domain.expr import evaluate as ev
from shuzhuan.policy.domain.model import (
    DECIMAL_FACT_SCALE,
    FactCatalog,
    Parameter,
    Policy,
    PolicyVersion,
    Rounding,
    base_name,
    period_of,
)
from shuzhuan.policy.domain.values import show, to_json

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Step:
    """One step of the amount: `kind` amount | cap | difference | rounding; `value` after the step."""

    kind: str
    label: str
    value: Decimal
    limit: Decimal | None = None
    applied: bool = True


@dataclass(frozen=True)
class Outcome:
    policy: str
    version: str
    eligible: bool
    amount: Decimal
    conditions: tuple[tuple[str, bool], ...] = ()
    steps: tuple[Step, ...] = ()
    missing: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    explanation: tuple[str, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)

    @property
    def undecided(self) -> bool:
        return bool(self.missing)


def _round(value: Decimal, rounding: Rounding) -> Decimal:
    mode = ROUND_DOWN if rounding.mode == "down" else ROUND_HALF_UP
    with decimal.localcontext(ROUNDING):  # the one deliberate inexact step
        return value.quantize(rounding.quantum, rounding=mode).quantize(Decimal("0.01"))


ROUNDING = decimal.Context(prec=60, traps=[decimal.InvalidOperation, decimal.Overflow])


class Words:
    """Plain-Chinese labels for facts, parameters and values of one version."""

    def __init__(self, version: PolicyVersion, catalog: FactCatalog):
        self.version, self.catalog = version, catalog
        self.env: Mapping[str, Any] | None = None

    def fact(self, node: Fact) -> str:
        if node.key == YEAR:
            label = "年度"
        else:
            spec = self.catalog.get(node.name)
            label = spec.label if spec else node.name
            period = period_of(node.key)
            label = f"{label}（{period} 年）" if period is not None else label
        if self.env is not None and node.key in self.env:
            label += f" {show(self.catalog.get(node.name), self.env[node.key])}"
        return label

    def fact_key(self, key: str) -> str:
        return self.fact_key_of(self.catalog, key)

    @staticmethod
    def fact_key_of(catalog: FactCatalog, key: str) -> str:
        spec = catalog.get(base_name(key))
        period = period_of(key)
        label = spec.label if spec else key
        return f"{label}（{period} 年）" if period is not None else label

    def param(self, name: str) -> str:
        parameter = self.version.parameters[name]
        if self.env is not None and not isinstance(parameter.value, (Mapping, list)):
            return f"{parameter.label} {show_param(parameter)}"
        return parameter.label

    @staticmethod
    def literal(node: Lit) -> str:
        if isinstance(node.value, tuple):
            return "、".join(str(v) for v in node.value)
        if isinstance(node.value, bool):
            return "是" if node.value else "否"
        return str(node.value)

    def expr(self, compiled: Compiled) -> str:
        return render(compiled.node, self.fact, self.param, self.literal)

    def param_value(self, parameter: Parameter) -> str:
        return show_param(parameter)


def show_param(parameter: Parameter) -> str:
    value = parameter.value
    if isinstance(value, Mapping):
        return "；".join(f"{k}：{_scalar(v, parameter.unit)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return _scalar(value, parameter.unit)


def _scalar(value: Any, unit: str) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if unit == "%" and isinstance(value, (Decimal, int)):
        return f"{(Decimal(value) * 100).normalize():f}%"
    if unit == "元" and isinstance(value, (Decimal, int)):
        return f"{format_yuan(Decimal(value))} 元"
    return f"{value} {unit}".strip()


def evaluate(version: PolicyVersion, on: dt.date, facts: Mapping[str, Any], catalog: FactCatalog,
             trace: bool = True) -> Outcome:
    """One subject. `facts` by key (`approved_amount`, `revenue[2024]`); a None or absent fact is missing."""
    keys = version.facts
    missing = tuple(k for k in keys if facts.get(k) is None)
    words = Words(version, catalog) if trace else None
    lines: list[str] = []
    if words:
        lines.append(f"适用版本：{version.period}")
        for name, parameter in version.parameters.items():
            if any(name in c.params for c in version.expressions()):
                lines.append(f"参数「{parameter.label}」= {show_param(parameter)}（依据：{parameter.source.words()}）")
        for key in keys:
            lines.append(f"事实「{words.fact_key(key)}」= {show(catalog.get(base_name(key)), facts.get(key))}")
    if missing:
        reasons = tuple(f"缺少数据：{words.fact_key(k) if words else k}" for k in missing)
        if words:
            lines.extend(reasons)
            lines.append("数据不足，无法自动判定 → 金额 0.00 元")
        return Outcome(version.policy, version.label, False, ZERO, missing=missing, reasons=reasons,
                       explanation=tuple(lines), facts={k: facts.get(k) for k in keys})
    env = {k: facts[k] for k in keys}
    env[YEAR] = on.year
    if words:
        words.env = env
    params = version.values
    results: list[tuple[str, bool]] = []
    reasons_list: list[str] = []
    for condition in version.conditions:
        held = bool(ev(condition.test.node, env, params))
        results.append((condition.label, held))
        if not held:
            reasons_list.append(condition.unmet or f"不满足：{condition.label}")
        if words:
            lines.append(f"条件「{condition.label}」：{words.expr(condition.test)} → {'满足' if held else '不满足'}")
    if reasons_list:
        if words:
            lines.append("不符合条件 → 金额 0.00 元")
        return Outcome(version.policy, version.label, False, ZERO, tuple(results), (), (), tuple(reasons_list),
                       tuple(lines), env)
    steps: list[Step] = []
    raw = Decimal(ev(version.amount.node, env, params))
    amount = _round(max(raw, ZERO), version.rounding)
    steps.append(Step("amount", "金额", amount))
    if words:
        extra = f"，{version.rounding.words()}" if amount != raw else ""
        lines.append(f"金额：{words.expr(version.amount)} = {format_yuan(raw) if raw == amount else raw} 元{extra}"
                     + (f" → {format_yuan(amount)} 元" if extra else ""))
    for cap in version.caps:
        if cap.when is not None and not ev(cap.when.node, env, params):
            steps.append(Step("cap", cap.label, amount, None, False))
            if words:
                lines.append(f"{cap.label}：不适用（{words.expr(cap.when)} 不成立）")
            continue
        limit = Decimal(ev(cap.limit.node, env, params))
        already = Decimal(ev(cap.already.node, env, params)) if cap.already is not None else None
        room = max(limit - (already or 0), ZERO)
        capped = amount > room
        amount = min(amount, room)
        steps.append(Step("cap", cap.label, amount, room, capped))
        if words:
            used = f"，已获 {format_yuan(already)} 元，尚余 {format_yuan(room)} 元" if already is not None else ""
            verdict = f"超过 → 金额 {format_yuan(amount)} 元" if capped else f"未超过，金额 {format_yuan(amount)} 元"
            lines.append(f"{cap.label} {format_yuan(limit)} 元{used}：{verdict}")
    if version.difference is not None:
        subtract = Decimal(ev(version.difference.subtract.node, env, params))
        amount = max(_exact_sub(amount, subtract), ZERO)
        steps.append(Step("difference", version.difference.label, amount, subtract))
        if words:
            lines.append(f"{version.difference.label}：减去 {format_yuan(subtract)} 元 → 金额 {format_yuan(amount)} 元")
    final = _round(amount, version.rounding)
    if final != amount:
        steps.append(Step("rounding", version.rounding.words(), final))
        if words:
            lines.append(f"{version.rounding.words()} → {format_yuan(final)} 元")
    amount = final
    if words:
        if version.quota is not None:
            lines.append(f"名额：每年不超过 {version.quota.per_year} 个，按 {words.expr(version.quota.rank_by)} "
                         f"{'从高到低' if version.quota.descending else '从低到高'} 排序确定（批量审定时适用）")
        lines.append(f"结果：符合条件，金额 {format_yuan(amount)} 元")
    return Outcome(version.policy, version.label, True, amount, tuple(results), tuple(steps), (), (), tuple(lines), env)


def _exact_sub(a: Decimal, b: Decimal) -> Decimal:
    with decimal.localcontext(EXACT):
        return a - b


def evaluate_policy(policy: Policy, on: dt.date, facts: Mapping[str, Any], catalog: FactCatalog,
                    trace: bool = True) -> Outcome:
    """The version in force on `on`; outside every version the subject is simply not eligible."""
    version = policy.version_on(on)
    if version is None:
        periods = "；".join(v.period for v in policy.versions)
        reason = f"{on.isoformat()} 不在政策有效期内（{periods}）"
        return Outcome(policy.code, "", False, ZERO, reasons=(reason,), explanation=(reason,) if trace else ())
    return evaluate(version, on, facts, catalog, trace)


# --- batch ------------------------------------------------------------------------------------

def batch_scale(version: PolicyVersion) -> int:
    """The fixed-point scale the batch engine computes the amount at (≥ 2: cents)."""
    return max([2] + [e.type.scale for e in version.expressions(with_quota=False) if isinstance(e.type, Num)])


def check_version(version: PolicyVersion) -> None:
    """Every amount expression, aligned to the batch scale, fits Int64 (raises `ExprError`)."""
    scale = batch_scale(version)
    params = version.values
    for compiled in [version.amount, *(c.limit for c in version.caps),
                     *(c.already for c in version.caps if c.already is not None),
                     *([version.difference.subtract] if version.difference else [])]:
        bound(compiled.node, params, scale)


def compile_frame(version: PolicyVersion, on: dt.date) -> dict[str, pl.Expr]:
    """The polars expressions of a version: `eligible` (bool), `amount_cents` (Int64), `undecided`."""
    params = version.values

    def col(key: str) -> pl.Expr:
        return pl.lit(on.year, dtype=pl.Int64) if key == YEAR else pl.col(key)

    keys = version.facts
    undecided = pl.any_horizontal(*[pl.col(k).is_null() for k in keys]) if keys else pl.lit(False)
    eligible = pl.lit(True)
    for condition in version.conditions:
        eligible = eligible & to_polars(condition.test.node, params, col)
    scale = batch_scale(version)

    def at(compiled: Compiled) -> pl.Expr:
        expr = to_polars(compiled.node, params, col)
        own = compiled.type.scale  # type: ignore[union-attr]
        return expr * (10 ** (scale - own)) if own < scale else expr

    rounding = version.rounding
    step = int(rounding.quantum.scaleb(scale))
    amount = pl.max_horizontal(at(version.amount), pl.lit(0, dtype=pl.Int64))

    def rounded(expr: pl.Expr) -> pl.Expr:
        return (expr // step) * step if rounding.mode == "down" else ((expr + step // 2) // step) * step

    amount = rounded(amount)
    for cap in version.caps:
        room = at(cap.limit) - (at(cap.already) if cap.already is not None else 0)
        room = pl.max_horizontal(room, pl.lit(0, dtype=pl.Int64))
        capped = pl.min_horizontal(amount, room)
        amount = pl.when(to_polars(cap.when.node, params, col)).then(capped).otherwise(amount) if cap.when else capped
    if version.difference is not None:
        amount = pl.max_horizontal(amount - at(version.difference.subtract), pl.lit(0, dtype=pl.Int64))
    amount = rounded(amount)
    cents = amount // (10 ** (scale - 2))
    decided = ~undecided
    eligible = decided & eligible.fill_null(False)
    return {"eligible": eligible, "amount_cents": pl.when(eligible).then(cents).otherwise(0).cast(pl.Int64),
            "undecided": undecided}


def evaluate_frame(version: PolicyVersion, on: dt.date, frame: pl.DataFrame | pl.LazyFrame,
                   subject: str = "subject") -> pl.DataFrame:
    """All subjects at once: columns `subject`, `eligible`, `amount_cents`, `undecided`."""
    exprs = compile_frame(version, on)
    lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    return lazy.select(pl.col(subject), *[e.alias(n) for n, e in exprs.items()]).collect()


def evaluate_many(versions: list[PolicyVersion], on: dt.date, frame: pl.DataFrame | pl.LazyFrame,
                  subject: str = "subject") -> pl.DataFrame:
    """Several policies over the same fact frame in one polars query: per version `<code>.eligible`,
    `<code>.amount_cents`, `<code>.undecided` (polars evaluates them in parallel)."""
    lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    columns = [pl.col(subject)]
    for version in versions:
        columns += [e.alias(f"{version.policy}.{n}") for n, e in compile_frame(version, on).items()]
    return lazy.select(columns).collect()


def apply_quota(version: PolicyVersion, on: dt.date, frame: pl.DataFrame, results: pl.DataFrame,
                subject: str = "subject", settled: Sequence[str] = ()) -> pl.DataFrame:
    """`results` with `within_quota`: the first eligible subjects by the ranking rule (ties by subject
    id), as many as the year's places left after the `settled` subjects (already awarded this period,
    who take a place but are not ranked again); all eligible are within quota when there is none."""
    if version.quota is None:
        return results.with_columns(within_quota=pl.col("eligible"))
    params = version.values
    rank = to_polars(version.quota.rank_by.node, params,
                     lambda k: pl.lit(on.year) if k == YEAR else pl.col(k)).alias("_rank")
    done = pl.Series(list(settled), dtype=results.schema[subject])
    places = max(version.quota.per_year - len(done), 0)
    ranked = (results.join(frame.select(pl.col(subject), rank), on=subject, how="left")
              .filter(pl.col("eligible") & ~pl.col(subject).is_in(done.implode()))
              .sort(["_rank", subject], descending=[version.quota.descending, False])
              .head(places).select(subject))
    chosen = pl.Series(ranked[subject].to_list(), dtype=results.schema[subject])
    return results.with_columns(within_quota=pl.col(subject).is_in(chosen.implode()))


def snapshot_hash(facts: Mapping[str, Any] | pl.DataFrame) -> str:
    """The inputs a result was computed from, as a SHA-256 (reproducible under the version it used)."""
    digest = hashlib.sha256()
    if isinstance(facts, pl.DataFrame):
        ordered = facts.select(sorted(facts.columns))
        ordered = ordered.sort(ordered.columns[0]) if "subject" not in ordered.columns else ordered.sort("subject")
        for batch in ordered.iter_slices(100_000):
            digest.update(batch.write_csv().encode())
    else:
        digest.update(json.dumps({k: to_json(v) for k, v in facts.items()}, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def amount_from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def frame_value(spec_type: str, value: Any) -> Any:
    """A fact value as the batch engine stores it: money in cents, decimals ×10^4, else as is."""
    if value is None:
        return None
    if spec_type == "money":
        return int(Decimal(value).scaleb(2))
    if spec_type == "decimal":
        return int(Decimal(value).scaleb(DECIMAL_FACT_SCALE))
    return value


FRAME_DTYPES = {"money": pl.Int64, "int": pl.Int64, "decimal": pl.Int64, "bool": pl.Boolean, "str": pl.Utf8}


def to_frame(rows: Mapping[str, Mapping[str, Any]], keys: list[str] | tuple[str, ...], catalog: FactCatalog) -> pl.DataFrame:
    """Subjects' facts ({subject: {key: value}}) → a fact frame with one column per key."""
    columns: dict[str, list[Any]] = {"subject": list(rows)}
    schema: dict[str, Any] = {"subject": pl.Utf8}
    for key in keys:
        kind = catalog[base_name(key)].type
        columns[key] = [frame_value(kind, facts.get(key)) for facts in rows.values()]
        schema[key] = FRAME_DTYPES[kind]
    return pl.DataFrame(columns, schema=schema)
