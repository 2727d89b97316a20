"""Pure helpers shared by every app: text normalisation and money. No Django imports."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
_SPACES = re.compile(r"\s+")


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (Ａ１，) to half-width; the ideographic space to a space."""
    return unicodedata.normalize("NFKC", text)


def normalise_town_text(text: str) -> str:
    """A town name or code as a lookup key: half-width, no spaces, no 镇/街道/街道办事处 suffix."""
    key = _SPACES.sub("", to_halfwidth(str(text or "")))
    if key.isdigit():
        return key
    for suffix in ("街道办事处", "街道办", "街道", "镇"):
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            key = key[: -len(suffix)]
            break
    if key.startswith("中山市"):
        key = key[3:]
    return key


def yuan(value: Decimal | int | str) -> Decimal:
    """A money amount in yuan with two places (half-up, as accountants round a shown figure)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def yuan_down(value: Decimal) -> Decimal:
    """Two places, rounded down: for shares that must never exceed a cap."""
    return value.quantize(CENT, rounding=ROUND_DOWN)


def format_yuan(value: Decimal | None, unit: str = "元") -> str:
    """1234567.5 → '1,234,567.50' (元) or '123.46' (万元)."""
    if value is None:
        return "—"
    if unit == "万元":
        return f"{(Decimal(value) / 10000).quantize(CENT, rounding=ROUND_HALF_UP):,}"
    return f"{yuan(value):,}"


def to_wan(value: Decimal | None) -> Decimal | None:
    """Yuan → 万元 with two places, half-up (as `format_yuan` shows it), for charts and cards."""
    return None if value is None else (Decimal(value) / 10000).quantize(CENT, rounding=ROUND_HALF_UP)
