"""The subsidy for a project under a programme version, with one line of explanation per step.

Steps: eligible investment (excluded categories removed) → × share, rounded DOWN to the cent →
capped by the level's cap, the per-project cap and what the programme still has → split across
funding sources (`split`). Below the programme's minimum level the subsidy is nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from shuzhuan.core.domain import format_yuan, yuan_down
from shuzhuan.core.money import MoneyError, format_fraction, parse_money, plain, split
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


def _amount(version: ProgrammeVersion, level: int, eligible: Decimal, available: Decimal | None,
            lines: list[str]) -> Decimal:
    if level < version.min_level:
        lines.append(f"改造后等级：{LEVEL_NAMES[level]}，低于{LEVEL_NAMES[version.min_level]} → 不予补助，补助 0.00 元")
        return ZERO
    if eligible == 0:
        lines.append("可补助投资 0.00 元 → 补助 0.00 元")
        return ZERO
    share = version.share_of_eligible_investment
    if share is None:
        amount = eligible
        lines.append(f"可补助投资 {format_yuan(eligible)} 元")
    else:
        amount = yuan_down(eligible * share)  # down: a share must never round up past a cap
        lines.append(f"可补助投资 {format_yuan(eligible)} 元 × {format_fraction(share)} = {format_yuan(amount)} 元")
    limits = _limits(version, level, available)
    for label, cap in limits:
        if amount > cap:
            amount = cap
            lines.append(f"{label} {format_yuan(cap)} 元 → 补助 {format_yuan(amount)} 元")
        else:
            lines.append(f"未超过{label} {format_yuan(cap)} 元 → 补助 {format_yuan(amount)} 元")
    if not limits:
        lines.append(f"补助 {format_yuan(amount)} 元")
    return amount


def _limits(version: ProgrammeVersion, level: int, available: Decimal | None) -> list[tuple[str, Decimal]]:
    limits: list[tuple[str, Decimal]] = []
    if level in version.cap_by_level:
        limits.append((f"{LEVEL_NAMES[level]}上限", version.cap_by_level[level]))
    if version.cap_per_project is not None:
        limits.append(("单个项目上限", version.cap_per_project))
    if available is not None:
        limits.append(("计划剩余可用资金", available))
    return limits


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
