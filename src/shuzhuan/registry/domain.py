"""Registry rules in pure Python: USCC (GB 32100-2015), organisation code (GB 11714), size class.

No Django imports: the importer, the demo generator and the batch engines all call these.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shuzhuan.core.domain import to_halfwidth

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
USCC_VALUES = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
_STRIP = re.compile(r"[\s\-_'\"‘’“”]")


class UsccError(ValueError):
    """A USCC that cannot be accepted; `code` is stable, the message is for people (Chinese)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_VALUES[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    def value(ch: str) -> int:
        return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10

    total = sum(value(ch) * w for ch, w in zip(first8, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def normalise_uscc(raw: object) -> str:
    """Half-width, upper case, no spaces or dashes. Does not validate."""
    return _STRIP.sub("", to_halfwidth(str(raw or ""))).upper()


@dataclass(frozen=True)
class UsccResult:
    code: str
    warnings: tuple[str, ...] = ()


def validate_uscc(raw: object) -> UsccResult:
    """Normalise and validate; raises UsccError. A bad organisation-code check is only a warning."""
    text = normalise_uscc(raw)
    if not text:
        raise UsccError("required", "统一社会信用代码不能为空")
    if _SCIENTIFIC.match(text) or (isinstance(raw, float)):
        raise UsccError(
            "scientific_notation",
            f"统一社会信用代码“{raw}”已被 Excel 转成科学计数法，原值无法恢复；请把该列设为“文本”格式后重新填写",
        )
    if len(text) != 18:
        raise UsccError("length", f"统一社会信用代码应为 18 位，“{text}”为 {len(text)} 位")
    bad = sorted({ch for ch in text if ch not in USCC_VALUES})
    if bad:
        raise UsccError("charset", f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、Z、S、V）")
    expected = uscc_check_char(text[:17])
    if text[17] != expected:
        raise UsccError("check_digit", f"统一社会信用代码“{text}”校验位错误：第 18 位应为 {expected}")
    warnings: tuple[str, ...] = ()
    org = text[8:17]
    if all(ch.isdigit() or "A" <= ch <= "Z" for ch in org[:8]) and org_code_check_char(org[:8]) != org[8]:
        warnings = (f"组织机构代码部分（第 9–17 位）校验不符，请核对：{org}",)
    return UsccResult(text, warnings)


def make_uscc(division: str, org8: str, registrar: str = "9", kind: str = "1") -> str:
    """Build a valid USCC from a 6-digit division code and an 8-character organisation code body."""
    first17 = registrar + kind + division + org8 + org_code_check_char(org8)
    return first17 + uscc_check_char(first17)


# --- size class (工信部联企业〔2011〕300号 for industry), rules as data --------------------------

@dataclass(frozen=True)
class SizeBand:
    size_class: str  # large / medium / small / micro
    min_employees: int
    min_revenue: Decimal  # yuan


@dataclass(frozen=True)
class SizeRule:
    """One dated version of the size rule for industry; bands from the largest down; micro otherwise."""

    effective_from: dt.date
    bands: tuple[SizeBand, ...]
    above_scale_revenue: Decimal
    source: str = ""

    def size_class(self, employees: int | None, revenue: Decimal | None) -> str | None:
        if employees is None or revenue is None:
            return None
        for band in self.bands:
            if employees >= band.min_employees and revenue >= band.min_revenue:
                return band.size_class
        return "micro"

    def above_scale(self, revenue: Decimal | None) -> bool:
        return revenue is not None and revenue >= self.above_scale_revenue


def rule_for(rules: list[SizeRule], on: dt.date) -> SizeRule:
    """The version in force on a date (rules sorted by effective_from)."""
    current = None
    for rule in sorted(rules, key=lambda r: r.effective_from):
        if rule.effective_from <= on:
            current = rule
    if current is None:
        raise LookupError(f"no size rule in force on {on}")
    return current


def parse_size_rules(data: Mapping[str, Any]) -> list[SizeRule]:
    rules = []
    for version in data["versions"]:
        params = version["parameters"]
        bands = tuple(
            SizeBand(b["class"], int(b["min_employees"]), Decimal(str(b["min_revenue"]))) for b in params["bands"]
        )
        rules.append(
            SizeRule(
                effective_from=dt.date.fromisoformat(str(version["effective_from"])),
                bands=bands,
                above_scale_revenue=Decimal(str(params["above_scale_revenue"])),
                source=version.get("source", {}).get("document", "") if isinstance(version.get("source"), dict) else "",
            )
        )
    return rules
