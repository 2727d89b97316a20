"""Pure money rules of the ledger (no Django): what a programme can still commit, given its lines."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from shuzhuan.core.domain import CENT
from shuzhuan.core.money import split

ZERO = Decimal("0.00")


def fits(parts: Mapping[str, Decimal], limits: Mapping[str, Decimal]) -> bool:
    """Every part within its limit (a source without a limit has nothing)."""
    return all(part <= limits.get(key, ZERO) for key, part in parts.items() if part)


def largest_split_within(limits: Mapping[str, Decimal], shares: Mapping[str, Decimal | int]) -> Decimal:
    """The largest amount whose `split` by `shares` fits every source's limit.

    This is what a programme "still has" for a subsidy: a commitment splits the amount across the
    sources by their shares, so the scarcest source (relative to its share) bounds it. When the
    limits are in proportion to the shares it is their sum. Exact to the cent: the candidate from
    the exact shares is checked with `split` itself (whose remainder cents go to the first
    sources) and lowered cent by cent until it fits; that takes at most a few steps.
    """
    if not shares:
        return ZERO
    cents = {key: int(limits.get(key, ZERO) / CENT) for key in shares}
    if any(c < 0 for c in cents.values()):
        return ZERO
    weights = split_weights(shares)
    total = sum(weights.values())
    # split gives each source at least floor(c × w / W) cents, so c is at most this for every source:
    upper = min(((cents[key] + 1) * total - 1) // weight for key, weight in weights.items())
    for candidate in range(upper, -1, -1):
        amount = candidate * CENT
        if fits(split(amount, shares), {key: c * CENT for key, c in cents.items()}):
            return amount.quantize(CENT)
    return ZERO  # pragma: no cover - zero always fits


def split_weights(shares: Mapping[str, Decimal | int]) -> dict[str, int]:
    """Weights as integers with the same ratios (1.5 : 1 → 15 : 10), as `split` uses them."""
    decimals = {key: Decimal(weight) for key, weight in shares.items()}
    places = max(max(-int(d.as_tuple().exponent), 0) for d in decimals.values())
    return {key: int(d.scaleb(places)) for key, d in decimals.items()}
