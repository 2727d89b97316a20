"""Interest subsidy (贴息) per calendar year from the interest banks report as actually paid: pure Python.

The rules are the policy files' data (`policy/data/policies/zs-digital-loan-interest.yaml`,
`demo-jiangmen-style.yaml`): a half-open payment-date window, the share by subsidy year (counted from the
enterprise's first subsidised year), the number of years, a per-year cap over all loans, a total cap,
and whether each loan's interest is scaled by min(investment, principal) / principal.

Arithmetic is exact (fractions): a year's subsidy is Σ interest × scale × share, rounded down to the
cent once, then capped (per year, then what the total cap leaves). The engine evaluates the same rule
per year on cents (`engine_facts`), and a test holds the two equal wherever the counted interest is in
whole cents (always, unless a loan is scaled).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Payment:
    on: dt.date
    interest: Decimal


@dataclass(frozen=True)
class LoanInterest:
    id: str
    principal: Decimal
    payments: Sequence[Payment]
    investment: Decimal | None = None


@dataclass(frozen=True)
class Rules:
    window_from: dt.date
    window_until: dt.date
    max_years: int
    share_by_year: Mapping[int, Decimal]
    cap_per_year: Decimal | None = None
    total_cap: Decimal | None = None
    scale_by_investment: bool = False

    @classmethod
    def from_parameters(cls, values: Mapping[str, Any]) -> Rules:
        """From a policy version's parameter values (`PolicyVersion.values`)."""
        def opt(name: str) -> Decimal | None:
            return Decimal(values[name]) if values.get(name) is not None else None

        return cls(dt.date.fromisoformat(str(values["window_from"])), dt.date.fromisoformat(str(values["window_until"])),
                   int(values["max_years"]), {int(k): Decimal(v) for k, v in values["share_by_year"].items()},
                   opt("cap_per_year"), opt("total_cap"), bool(values.get("scale_by_investment", False)))


@dataclass(frozen=True)
class YearResult:
    year: int
    subsidy_year: int
    counted: Fraction  # interest counted in the year (scaled), exact
    amount: Decimal


@dataclass
class SubsidyResult:
    amount: Decimal = ZERO
    by_year: dict[int, Decimal] = field(default_factory=dict)
    years: list[YearResult] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)


class InterestInputError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def floor_cents(value: Fraction) -> Decimal:
    cents = value.numerator * 100 // value.denominator
    return (Decimal(cents) / 100).quantize(CENT, rounding=ROUND_FLOOR)


def _fmt(value: Decimal | Fraction) -> str:
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        if exact * value.denominator == value.numerator:
            return f"{exact:,.2f}" if exact == exact.quantize(CENT) else f"{exact:,}"
        return f"约 {exact:,.4f}"
    return f"{value:,.2f}"


def scale_of(loan: LoanInterest, rules: Rules, index: int) -> Fraction:
    if not rules.scale_by_investment:
        return Fraction(1)
    if loan.investment is None:
        raise InterestInputError(f"loans.{index}.investment", "本政策按实际投资折算本金，须填写 investment")
    if loan.principal <= 0:
        raise InterestInputError(f"loans.{index}.principal", "本金须大于 0")
    return Fraction(min(loan.investment, loan.principal)) / Fraction(loan.principal)


def counted_by_year(loans: Sequence[LoanInterest], rules: Rules) -> tuple[dict[int, Fraction], list[str]]:
    """Each calendar year's interest with a payment date in [window_from, window_until), scaled."""
    years: dict[int, Fraction] = {}
    lines: list[str] = []
    for index, loan in enumerate(loans):
        scale = scale_of(loan, rules, index)
        if rules.scale_by_investment and loan.investment is not None:  # scale_of refused a missing investment
            lines.append(f"贷款 {loan.id}：本金 {_fmt(loan.principal)} 元，实际投资 {_fmt(loan.investment)} 元，"
                         f"利息按 {_fmt(Fraction(min(loan.investment, loan.principal)))} / {_fmt(loan.principal)} 折算")
        outside = Decimal(0)
        for payment in loan.payments:
            if rules.window_from <= payment.on < rules.window_until:
                years[payment.on.year] = years.get(payment.on.year, Fraction(0)) + Fraction(payment.interest) * scale
            else:
                outside += payment.interest
        if outside:
            lines.append(f"贷款 {loan.id}：付息日不在 [{rules.window_from}, {rules.window_until}) 内的利息 "
                         f"{_fmt(outside)} 元不予贴息")
    return years, lines


def compute(loans: Sequence[LoanInterest], rules: Rules, first_subsidy_year: int | None = None,
            awarded_before: Decimal = ZERO) -> SubsidyResult:
    """The subsidy by calendar year; `by_year` holds each year's amount after its caps."""
    counted, lines = counted_by_year(loans, rules)
    result = SubsidyResult(explanation=[f"计息窗口 [{rules.window_from}, {rules.window_until})（含起日、不含止日），"
                                        f"按自然年计算，最多 {rules.max_years} 个贴息年度", *lines])
    years = sorted(y for y, v in counted.items() if v > 0)
    if not years:
        result.explanation.append("没有计入贴息的利息 → 0.00 元")
        return result
    first = first_subsidy_year if first_subsidy_year is not None else years[0]
    result.explanation.append(f"首个贴息年度：{first} 年" + ("（请求指定）" if first_subsidy_year is not None else
                                                         "（首个有计入利息的年度）"))
    total = awarded_before
    for year in years:
        n = year - first + 1
        interest = counted[year]
        if n < 1 or n > rules.max_years:
            why = "早于首个贴息年度" if n < 1 else f"已超过 {rules.max_years} 个贴息年度"
            result.explanation.append(f"{year} 年：计入利息 {_fmt(interest)} 元，{why}，不予贴息")
            continue
        share = rules.share_by_year.get(n)
        if share is None:
            result.explanation.append(f"{year} 年（第 {n} 个贴息年度）：未设贴息比例，不予贴息")
            continue
        amount = floor_cents(interest * Fraction(share))
        line = f"{year} 年（第 {n} 个贴息年度）：计入利息 {_fmt(interest)} 元 × {share * 100:.0f}% = " \
               f"{_fmt(interest * Fraction(share))} 元，向下取整到分 → {_fmt(amount)} 元"
        if rules.cap_per_year is not None and amount > rules.cap_per_year:
            amount = rules.cap_per_year
            line += f"；超过每年上限，按 {_fmt(rules.cap_per_year)} 元"
        if rules.total_cap is not None:
            room = max(rules.total_cap - total, ZERO)
            if amount > room:
                amount = room
                line += f"；累计上限 {_fmt(rules.total_cap)} 元只余 {_fmt(room)} 元"
        total += amount
        result.by_year[year] = amount
        result.years.append(YearResult(year, n, interest, amount))
        result.explanation.append(line)
    result.amount = sum(result.by_year.values(), ZERO)
    result.explanation.append(f"合计贴息 {_fmt(result.amount)} 元")
    return result


def engine_facts(year: YearResult, awarded_before: Decimal) -> dict[str, Any] | None:
    """The year's facts for the policy engine, when the counted interest is whole cents (else None)."""
    if (year.counted * 100).denominator != 1:
        return None
    return {"interest_counted": floor_cents(year.counted), "subsidy_year": year.subsidy_year,
            "awarded_before": awarded_before}
