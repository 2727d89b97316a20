"""Exact money arithmetic shared by the ledger and the programmes: parsing amounts, splitting by weights, the purpose rule.

Money is `Decimal` yuan with two places. Nothing here ever touches a binary float: a float given
as money is refused, because 0.1 + 0.2 is not 0.3 and an auditor will find the missing cent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import TypeVar

from shuzhuan.core.domain import CENT, MAX_YUAN, format_yuan, yuan_down

# The largest amount a money column holds (999,999,999,999.99): beyond any programme, and keeps
# every product of amounts exact in Decimal's default 28 digits.
MAX_AMOUNT = MAX_YUAN
MONEY_PATTERN = r"^\d+(\.\d{1,2})?$"
_MONEY = re.compile(MONEY_PATTERN)
_NUMBER = re.compile(r"^\d+(\.\d+)?$")

MONEY_FORMAT = '金额应为字符串（最多两位小数，如 "1200000.00"）或整数'
NOT_FLOAT = '金额不接受浮点数（JSON 小数会有二进制误差），请写成字符串，如 "1200000.00"'
NEGATIVE = "金额不能为负数"
TOO_LARGE = f"金额不能超过 {format_yuan(MAX_AMOUNT)} 元"
TOO_PRECISE = "金额最多两位小数（分）"

Key = TypeVar("Key")


class MoneyError(ValueError):
    """A value that is not an amount of money; the message says why, in Chinese."""


def parse_money(value: object) -> Decimal:
    """An amount ≥ 0 in yuan from a string like "1200000.00", an int or a Decimal; two places.

    Refused: floats, booleans, exponents ("1e3"), signs, separators ("1,200"), more than two
    decimals, and anything above `MAX_AMOUNT`.
    """
    if isinstance(value, bool):
        raise MoneyError(MONEY_FORMAT)
    if isinstance(value, float):
        raise MoneyError(NOT_FLOAT)
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        if _MONEY.match(value):
            amount = Decimal(value)
        elif value.startswith("-") and _MONEY.match(value[1:]):
            raise MoneyError(NEGATIVE)
        else:
            raise MoneyError(MONEY_FORMAT)
    elif isinstance(value, Decimal) and value.is_finite():
        amount = value
    else:
        raise MoneyError(MONEY_FORMAT)
    if amount.is_signed():
        raise MoneyError(NEGATIVE)
    if amount > MAX_AMOUNT:
        raise MoneyError(TOO_LARGE)
    if amount != amount.quantize(CENT):
        raise MoneyError(TOO_PRECISE)
    return amount.quantize(CENT)


def parse_fraction(value: object) -> Decimal:
    """A share such as "0.50": a decimal string (or Decimal) in (0, 1]. Floats are refused."""
    if isinstance(value, str) and _NUMBER.match(value):
        fraction = Decimal(value)
    elif isinstance(value, Decimal) and value.is_finite():
        fraction = value
    else:
        raise MoneyError('比例应写成带引号的小数，如 "0.50"')
    if not 0 < fraction <= 1:
        raise MoneyError("比例应大于 0 且不超过 1")
    return fraction


def parse_weight(value: object) -> Decimal:
    """A positive weight for splitting: an integer or a decimal string ("1", "1.5")."""
    if isinstance(value, int) and not isinstance(value, bool):
        weight = Decimal(value)
    elif isinstance(value, str) and _NUMBER.match(value):
        weight = Decimal(value)
    else:
        raise MoneyError('权重应为正整数或带引号的小数，如 1 或 "1.5"')
    if weight <= 0:
        raise MoneyError("权重应大于 0")
    return weight


def _cents(amount: Decimal) -> int:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise ValueError(f"split needs a Decimal ≥ 0 with at most two places, got {amount!r}")
    return int(amount / CENT)


def _integer_weights(weights: list[Decimal | int]) -> list[int]:
    """Weights scaled by one power of ten to integers with the same ratios (1.5 : 1 → 15 : 10)."""
    decimals: list[Decimal] = []
    for weight in weights:
        if isinstance(weight, bool) or not isinstance(weight, (int, Decimal)):
            raise TypeError(f"split weights are int or Decimal, got {weight!r}")
        decimal = Decimal(weight)
        if not decimal.is_finite() or decimal <= 0:
            raise ValueError(f"split weights must be positive, got {weight!r}")
        decimals.append(decimal)
    places = max(max(-int(d.as_tuple().exponent), 0) for d in decimals)
    return [int(d.scaleb(places)) for d in decimals]


def split(amount: Decimal, shares: Mapping[Key, Decimal | int]) -> dict[Key, Decimal]:
    """Split `amount` by weights; the parts always add up to it exactly.

    Each part is its exact share rounded down to the cent; the cents left over go one by one to
    the first keys, in the mapping's order (a programme lists its sources in order). So every part
    is within one cent of its exact share, and only the first ones get the extra cent.
    """
    if not shares:
        raise ValueError("split needs at least one share")
    cents = _cents(amount)
    weights = _integer_weights(list(shares.values()))
    total = sum(weights)
    parts = [cents * weight // total for weight in weights]
    for index in range(cents - sum(parts)):
        parts[index] += 1
    return {key: part * CENT for key, part in zip(shares, parts, strict=True)}


def format_fraction(value: Decimal) -> str:
    """Decimal("0.50") → '50%', Decimal("0.333") → '33.3%'."""
    return f"{plain(value * 100)}%"


def plain(value: Decimal) -> str:
    """A number without trailing zeros or exponent: 1.50 → '1.5', 100 → '100'."""
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class PurposeRule:
    """How one funding source's money must be used: at least `direct_sme_min` of it straight to
    SME subsidies, at most `public_services_max` to public services (DESIGN decision 8)."""

    direct_sme_min: Decimal
    public_services_max: Decimal
    applies_to: tuple[str, ...]


def check_purpose_split(direct_sme: Decimal, public_services: Decimal, rule: PurposeRule,
                        source_label: str = "") -> list[str]:
    """Violations of the purpose rule for one funding source's money, in words (none → []).

    Exact: the amounts are compared with the exact fractions of their total; the limits shown
    are rounded to the cent in the rule's favour (the minimum up, the maximum down).
    """
    for amount in (direct_sme, public_services):
        _cents(amount)
    total = direct_sme + public_services
    if total == 0:
        return []
    prefix = f"{source_label}资金：" if source_label else ""
    violations: list[str] = []
    minimum = total * rule.direct_sme_min
    if direct_sme < minimum:
        violations.append(
            f"{prefix}直接补助中小企业 {format_yuan(direct_sme)} 元，不足总额 {format_yuan(total)} 元的 "
            f"{format_fraction(rule.direct_sme_min)}（至少 {format_yuan(minimum.quantize(CENT, rounding=ROUND_CEILING))} 元）"
        )
    maximum = total * rule.public_services_max
    if public_services > maximum:
        violations.append(
            f"{prefix}公共服务 {format_yuan(public_services)} 元，超过总额 {format_yuan(total)} 元的 "
            f"{format_fraction(rule.public_services_max)}（至多 {format_yuan(yuan_down(maximum))} 元）"
        )
    return violations
