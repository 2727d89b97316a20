"""A 数字贷 loan reported by its bank (DOMAIN §7), as a state machine: pure Python, no Django.

applied → granted (授信: amount, rate, term) → active (first disbursement 放款) → settled (principal repaid);
active ⇄ overdue → default; applied → declined. Each event's guard reads a `LoanFacts` snapshot and
returns the reason it refuses (Chinese) or None.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

APPLIED = "applied"
GRANTED = "granted"
ACTIVE = "active"
OVERDUE = "overdue"
SETTLED = "settled"
DEFAULT = "default"
DECLINED = "declined"

STATES: dict[str, str] = {
    APPLIED: "已申请", GRANTED: "已授信", ACTIVE: "还款中", OVERDUE: "逾期", SETTLED: "已结清",
    DEFAULT: "违约", DECLINED: "未授信",
}
OUTSTANDING_STATES = frozenset({ACTIVE, OVERDUE, DEFAULT})
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LoanFacts:
    state: str
    applied_on: dt.date
    credit_amount: Decimal | None = None
    granted_on: dt.date | None = None
    disbursed: Decimal = ZERO
    repaid_principal: Decimal = ZERO
    last_event_on: dt.date | None = None

    @property
    def outstanding(self) -> Decimal:
        return self.disbursed - self.repaid_principal


def _money(value: Decimal, field: str, positive: bool = True) -> str | None:
    if value != value.quantize(Decimal("0.01")):
        return f"{field}最多两位小数"
    if value < 0 or (positive and value == 0):
        return f"{field}须大于 0" if positive else f"{field}不能为负"
    return None


def _dated(facts: LoanFacts, on: dt.date) -> str | None:
    if on < facts.applied_on:
        return "日期不能早于贷款申请日期"
    if facts.last_event_on and on < facts.last_event_on:
        return f"日期不能早于上一次报送（{facts.last_event_on.isoformat()}）"
    return None


def refuse_grant(facts: LoanFacts, amount: Decimal, rate: Decimal, term_months: int, on: dt.date) -> str | None:
    if facts.state != APPLIED:
        return f"贷款当前为「{STATES[facts.state]}」，不能授信"
    if (problem := _money(amount, "授信金额")) is not None:
        return problem
    if not Decimal("0") < rate < Decimal("36"):
        return "年利率应在 0–36% 之间"
    if not 1 <= term_months <= 360:
        return "期限应为 1–360 个月"
    return _dated(facts, on)


def refuse_decline(facts: LoanFacts) -> str | None:
    return None if facts.state == APPLIED else f"贷款当前为「{STATES[facts.state]}」，不能拒绝授信"


def refuse_disbursement(facts: LoanFacts, amount: Decimal, on: dt.date) -> str | None:
    if facts.state not in (GRANTED, ACTIVE):
        return f"贷款当前为「{STATES[facts.state]}」，不能放款"
    if (problem := _money(amount, "放款金额")) is not None:
        return problem
    if facts.granted_on and on < facts.granted_on:
        return "放款日期不能早于授信日期"
    if facts.credit_amount is not None and facts.disbursed + amount > facts.credit_amount:
        return f"累计放款 {facts.disbursed + amount} 元将超过授信金额 {facts.credit_amount} 元"
    return _dated(facts, on)


def refuse_repayment(facts: LoanFacts, principal: Decimal, interest: Decimal, on: dt.date) -> str | None:
    if facts.state not in (ACTIVE, OVERDUE, DEFAULT):
        return f"贷款当前为「{STATES[facts.state]}」，不能报送还款"
    if (problem := _money(principal, "还款本金", positive=False)) is not None:
        return problem
    if (problem := _money(interest, "实付利息", positive=False)) is not None:
        return problem
    if principal == 0 and interest == 0:
        return "本金与利息不能同时为 0"
    if principal > facts.outstanding:
        return f"还款本金 {principal} 元超过贷款余额 {facts.outstanding} 元"
    return _dated(facts, on)


def state_after_repayment(facts: LoanFacts, principal: Decimal) -> str:
    """Fully repaid principal settles the loan (a defaulted one too); otherwise the state stays."""
    return SETTLED if facts.outstanding - principal == 0 else facts.state


STATUS_EVENTS: dict[str, tuple[frozenset[str], str, str]] = {
    "overdue": (frozenset({ACTIVE}), OVERDUE, "逾期"),
    "cure": (frozenset({OVERDUE}), ACTIVE, "逾期已纠正"),
    "default": (frozenset({OVERDUE}), DEFAULT, "违约"),
}


def refuse_status(facts: LoanFacts, event: str) -> str | None:
    if event not in STATUS_EVENTS:
        return f"未知状态事件 {event}（可用：{'、'.join(STATUS_EVENTS)}）"
    sources, _target, label = STATUS_EVENTS[event]
    if facts.state not in sources:
        return f"贷款当前为「{STATES[facts.state]}」，不能标记为「{label}」"
    return None
