"""The subsidy for a project under a programme version, with one line of explanation per step.

Steps: eligible investment (excluded categories removed) → × share, rounded DOWN to the cent →
capped by the level's cap, the per-project cap and what the programme still has → split across
funding sources (`split`). Below the programme's minimum level the subsidy is nothing. The amount
is computed by the policy engine (`subsidy_policy`): one engine for every rule that pays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shuzhuan.core.domain import format_yuan
from shuzhuan.core.money import MoneyError, format_fraction, parse_money, plain, split
from shuzhuan.policy.domain.build import build_version
from shuzhuan.policy.domain.engine import evaluate
from shuzhuan.policy.domain.model import Citation as PolicyCitation
from shuzhuan.policy.domain.model import FactSpec, PolicyVersion
from shuzhuan.programs.domain.errors import FieldError, QuoteInputError
from shuzhuan.programs.domain.model import (
    LEVEL_NAMES,
    LEVEL_RANGE,
    MAX_LEVEL,
    CostItem,
    Example,
    Programme,
    ProgrammeVersion,
)

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Quote:
    programme: str
    version: str
    level: int
    eligible_investment: Decimal
    excluded_investment: Decimal
    amount: Decimal
    by_source: Mapping[str, Decimal]
    explanation: tuple[str, ...]


def quote(version: ProgrammeVersion, level: int, items: Iterable[CostItem],
          available: Decimal | None = None) -> Quote:
    """The subsidy for a project at `level` with these investment items.

    `available` is what the programme still has (the free balance of its direct-subsidy lines);
    `None` means not limited. Raises `QuoteInputError` naming every bad field (`level`,
    `items.N.category`, `items.N.amount`, `available`).
    """
    items, available = _validated(version, level, tuple(items), available)
    eligible = _totals(items, version.eligible_categories)
    excluded = _totals(items, version.excluded_categories)
    lines: list[str] = []
    if eligible:
        lines.append(f"可补助费用：{_listing(eligible, version.eligible_categories)}")
    if excluded:
        lines.append(f"不可补助费用（不计入可补助投资）：{_listing(excluded, version.excluded_categories)}")
    eligible_total = sum(eligible.values(), ZERO)
    amount = _amount(version, level, eligible_total, available, lines)
    by_source = split(amount, version.shares)
    if amount:
        labels = {s.code: s.label for s in version.fund_sources}
        lines.append(f"按 {':'.join(labels.values())} = {':'.join(plain(s.weight) for s in version.fund_sources)} 分担："
                     f"{_listing(by_source, labels)}")
    return Quote(programme=version.programme, version=version.label, level=level,
                 eligible_investment=eligible_total, excluded_investment=sum(excluded.values(), ZERO),
                 amount=amount, by_source=by_source, explanation=tuple(lines))


def _validated(version: ProgrammeVersion, level: int, items: tuple[CostItem, ...],
               available: Decimal | None) -> tuple[tuple[CostItem, ...], Decimal | None]:
    errors: list[FieldError] = []
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= MAX_LEVEL:
        errors.append(FieldError("level", LEVEL_RANGE))
    known = {**version.eligible_categories, **version.excluded_categories}
    clean: list[CostItem] = []
    for index, item in enumerate(items):
        if item.category not in known:
            choices = "、".join(f"{code}（{label}）" for code, label in known.items())
            errors.append(FieldError(f"items.{index}.category", f"未知的费用类别 {item.category!r}；可用：{choices}"))
        try:
            clean.append(CostItem(item.category, parse_money(item.amount)))
        except MoneyError as exc:
            errors.append(FieldError(f"items.{index}.amount", str(exc)))
    if available is not None:
        try:
            available = parse_money(available)
        except MoneyError as exc:
            errors.append(FieldError("available", str(exc)))
    if errors:
        raise QuoteInputError(errors)
    return tuple(clean), available


def _totals(items: tuple[CostItem, ...], categories: Mapping[str, str]) -> dict[str, Decimal]:
    """Sum per category, in the order the categories first appear among the items."""
    totals: dict[str, Decimal] = {}
    for item in items:
        if item.category in categories:
            totals[item.category] = totals.get(item.category, ZERO) + item.amount
    return totals


def _listing(amounts: Mapping[str, Decimal], labels: Mapping[str, str]) -> str:
    return "、".join(f"{labels[code]} {format_yuan(amount)} 元" for code, amount in amounts.items())


# The level subsidy is a policy of the one engine (`shuzhuan.policy`): this module builds the policy
# from the programme version's parameters (each citing the programme file's source) and words the
# engine's steps as the quote always has.
_FACTS = {
    "level": FactSpec("level", "int", "改造后等级"),
    "eligible_investment": FactSpec("eligible_investment", "money", "可补助投资"),
    "available": FactSpec("available", "money", "计划剩余可用资金"),
}
_LEVEL_CAP, _PROJECT_CAP, _AVAILABLE = "等级上限", "单个项目上限", "计划剩余可用资金"


def _cite(version: ProgrammeVersion, name: str) -> PolicyCitation:
    found = version.citations.get(name)
    if found is None:
        return PolicyCitation(f"奖补计划 {version.programme}")
    return PolicyCitation(found.document, found.verified, found.article, found.note)


def subsidy_policy(version: ProgrammeVersion, limited: bool) -> PolicyVersion:
    """The programme version as a policy version; `limited` adds the cap of what the programme still has."""
    params: dict[str, Any] = {"min_level": {"value": version.min_level, "source": _cite(version, "min_level")}}
    amount = "eligible_investment"
    if version.share_of_eligible_investment is not None:
        params["share"] = {"value": version.share_of_eligible_investment,
                           "source": _cite(version, "share_of_eligible_investment")}
        amount = "eligible_investment * p.share"
    caps: list[dict[str, Any]] = []
    if version.cap_by_level:
        params["cap_by_level"] = {"value": dict(version.cap_by_level), "source": _cite(version, "cap_by_level")}
        caps.append({"label": _LEVEL_CAP, "when": "level in p.cap_by_level", "limit": "p.cap_by_level[level]"})
    if version.cap_per_project is not None:
        params["cap_per_project"] = {"value": version.cap_per_project, "source": _cite(version, "cap_per_project")}
        caps.append({"label": _PROJECT_CAP, "limit": "p.cap_per_project"})
    if limited:
        caps.append({"label": _AVAILABLE, "limit": "available"})
    return build_version(version.programme, version.effective_from, version.effective_until, params, [
        {"label": "改造后等级达到最低等级", "when": "level >= p.min_level"},
        {"label": "可补助投资大于零", "when": "eligible_investment > 0"},
    ], amount, caps, _FACTS)


def _amount(version: ProgrammeVersion, level: int, eligible: Decimal, available: Decimal | None,
            lines: list[str]) -> Decimal:
    policy = subsidy_policy(version, available is not None)
    facts = {"level": level, "eligible_investment": eligible, "available": available}
    outcome = evaluate(policy, version.effective_from, {k: v for k, v in facts.items() if v is not None},
                       _FACTS, trace=False)
    if not outcome.eligible:
        if not outcome.conditions[0][1]:
            lines.append(f"改造后等级：{LEVEL_NAMES[level]}，低于{LEVEL_NAMES[version.min_level]} → 不予补助，补助 0.00 元")
        else:
            lines.append("可补助投资 0.00 元 → 补助 0.00 元")
        return ZERO
    first, *caps = outcome.steps
    share = version.share_of_eligible_investment
    if share is None:
        lines.append(f"可补助投资 {format_yuan(eligible)} 元")
    else:  # rounded down by the engine: a share must never round up past a cap
        lines.append(f"可补助投资 {format_yuan(eligible)} 元 × {format_fraction(share)} = {format_yuan(first.value)} 元")
    shown = [step for step in caps if step.kind == "cap" and step.limit is not None]
    for step in shown:
        label = f"{LEVEL_NAMES[level]}上限" if step.label == _LEVEL_CAP else step.label
        prefix = "" if step.applied else "未超过"
        lines.append(f"{prefix}{label} {format_yuan(step.limit)} 元 → 补助 {format_yuan(step.value)} 元")
    if not shown:
        lines.append(f"补助 {format_yuan(outcome.amount)} 元")
    return outcome.amount


def run_example(programme: Programme, example: Example) -> list[str]:
    """Differences between a shipped worked case and what `quote` computes ([] = it holds)."""
    version = programme.version_on(example.on)
    if version is None:
        return [f"{example.on} 不在任何版本的有效期内"]
    try:
        result = quote(version, example.level, example.items, example.available)
    except QuoteInputError as exc:
        return [f"输入有误：{exc}"]
    problems: list[str] = []
    if result.amount != example.amount:
        problems.append(f"amount: expected {example.amount}, got {result.amount}")
    if example.by_source is not None and dict(result.by_source) != dict(example.by_source):
        problems.append(f"by_source: expected {dict(example.by_source)}, got {dict(result.by_source)}")
    if example.explanation is not None and result.explanation != example.explanation:
        problems.append(f"explanation: expected {list(example.explanation)}, got {list(result.explanation)}")
    return problems
