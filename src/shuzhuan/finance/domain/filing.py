"""数字贷 project filings (备案, DOMAIN §7) as a state machine: pure Python, no Django.

submitted → town_approved → filed (city, a number SZD-YYYY-NNNNNN) → loan_applied; or rejected by the
town or the city; a filed project with no loan application within 6 months becomes void.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

SUBMITTED = "submitted"
TOWN_APPROVED = "town_approved"
FILED = "filed"
LOAN_APPLIED = "loan_applied"
REJECTED = "rejected"
VOID = "void"

STATES: dict[str, str] = {
    SUBMITTED: "已提交，待镇街审核",
    TOWN_APPROVED: "镇街审核通过，待市级审核",
    FILED: "已备案",
    LOAN_APPLIED: "已申请贷款",
    REJECTED: "未通过",
    VOID: "已失效",
}
# A filing "in progress" counts against the limit of 2 per enterprise.
IN_PROGRESS = frozenset({SUBMITTED, TOWN_APPROVED, FILED, LOAN_APPLIED})

# Itemised investment (DOMAIN §7): eligible categories; civil works are refused.
CATEGORIES: dict[str, str] = {
    "digital_systems": "数字化系统",
    "industrial_software": "工业控制软件",
    "production_lines": "生产线",
    "supporting_equipment": "配套设备",
}
CIVIL_WORKS = "civil_works"
VOID_AFTER_MONTHS = 6


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    source: frozenset[str]
    target: str
    roles: frozenset[str]


TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    Transition("town_approve", "镇街审核通过", frozenset({SUBMITTED}), TOWN_APPROVED,
               frozenset({"town_officer", "city_officer", "admin"})),
    Transition("town_reject", "镇街退回（不通过）", frozenset({SUBMITTED}), REJECTED,
               frozenset({"town_officer", "city_officer", "admin"})),
    Transition("city_approve", "市级审核通过，予以备案", frozenset({TOWN_APPROVED}), FILED,
               frozenset({"city_officer", "admin"})),
    Transition("city_reject", "市级不予备案", frozenset({TOWN_APPROVED}), REJECTED, frozenset({"city_officer", "admin"})),
    Transition("apply_loan", "银行受理贷款申请", frozenset({FILED}), LOAN_APPLIED, frozenset({"bank", "admin"})),
    Transition("void", "逾期未申请贷款，备案失效", frozenset({FILED}), VOID, frozenset({"system"})),
)}


def refusal(name: str, state: str, role: str, reason: str = "") -> str | None:
    """Why the transition may not be taken now (Chinese), or None."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        return "未知操作"
    if role not in transition.roles:
        return f"当前角色不能执行「{transition.label}」"
    if state not in transition.source:
        return f"备案当前状态为「{STATES.get(state, state)}」，不能执行「{transition.label}」"
    if transition.target == REJECTED and not reason.strip():
        return "不通过须写明理由"
    return None


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def void_on(filed_on: dt.date) -> dt.date:
    """The first day the filing is void if no loan application came (6 months after filing)."""
    return add_months(filed_on, VOID_AFTER_MONTHS)


def is_void_due(state: str, filed_on: dt.date | None, today: dt.date) -> bool:
    return state == FILED and filed_on is not None and today >= void_on(filed_on)


def filing_number(year: int, sequence: int) -> str:
    if not 1 <= sequence <= 999_999:
        raise ValueError("sequence out of range")
    return f"SZD-{year:04d}-{sequence:06d}"


def item_problems(items: Mapping[str, Decimal]) -> list[tuple[str, str]]:
    """(field, message) for each itemised-investment problem; empty when the contract is acceptable."""
    problems: list[tuple[str, str]] = []
    for key, amount in items.items():
        if key == CIVIL_WORKS:
            if amount > 0:
                problems.append((key, "土建工程不属于贴息支持范围，请从合同投资明细中剔除"))
        elif key not in CATEGORIES:
            problems.append((key, "未知的投资类别"))
        elif amount < 0:
            problems.append((key, "金额不能为负"))
    if sum((a for k, a in items.items() if k in CATEGORIES), Decimal(0)) <= 0:
        problems.append(("items", "合同须列明数字化系统、工业控制软件、生产线或配套设备的投资"))
    return problems


def full_years(start: dt.date, today: dt.date) -> int:
    """Whole years from `start` to `today` (a legal person founded 2024-03-01 has 1 year on 2025-03-01)."""
    years = today.year - start.year - ((today.month, today.day) < (start.month, start.day))
    return max(years, 0)
