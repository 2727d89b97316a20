"""助保贷 (DOMAIN §8): the pool's limits and the compensation waterfall — pure Python, exact Decimal.

A default's loss is paid first from the guarantee-fee pool (助保金); what is left is shared
government : bank (50 : 50 by default); the government part is floor-to-cent of its share of what the
fee pool left, paid from the deposit and never more than the deposit's balance; the bank bears the rest.
Recoveries after compensation flow back pro rata to what each party paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DEFAULT_GOVERNMENT_SHARE = Decimal("0.50")
DEFAULT_LEVERAGE = 10
DEFAULT_FIRM_YEAR_LIMIT = Decimal("15000000.00")
DEFAULT_FEE_RATE = Decimal("0.02")


def floor_cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_FLOOR)


@dataclass(frozen=True)
class Compensation:
    loss: Decimal
    from_fee_pool: Decimal
    from_deposit: Decimal
    borne_by_bank: Decimal
    fee_pool_after: Decimal
    deposit_after: Decimal
    explanation: tuple[str, ...]


def compensate(loss: Decimal, fee_pool: Decimal, deposit: Decimal,
               government_share: Decimal = DEFAULT_GOVERNMENT_SHARE) -> Compensation:
    if min(loss, fee_pool, deposit) < 0:
        raise ValueError("amounts must not be negative")
    if not ZERO <= government_share <= 1:
        raise ValueError("government_share must be within [0, 1]")
    from_pool = min(loss, fee_pool)
    rest = loss - from_pool
    share = floor_cent(rest * government_share)
    from_deposit = min(share, deposit)
    bank = rest - from_deposit
    lines = [f"损失 {loss:,.2f} 元：先由助保金池支付 {from_pool:,.2f} 元（池余额 {fee_pool:,.2f} 元）"]
    if rest:
        lines.append(f"余下 {rest:,.2f} 元由政府与银行按 {government_share * 100:.0f} : {(1 - government_share) * 100:.0f} 分担；"
                     f"政府部分 {rest:,.2f} × {government_share * 100:.0f}% 向下取整到分 = {share:,.2f} 元")
        if from_deposit < share:
            lines.append(f"风险补偿金余额仅 {deposit:,.2f} 元，政府部分以余额为限 → {from_deposit:,.2f} 元")
        lines.append(f"从风险补偿金支付 {from_deposit:,.2f} 元，银行承担 {bank:,.2f} 元")
    return Compensation(loss, from_pool, from_deposit, bank, fee_pool - from_pool, deposit - from_deposit, tuple(lines))


def recovery_split(recovered: Decimal, from_fee_pool: Decimal, from_deposit: Decimal,
                   borne_by_bank: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """A recovery back to (fee pool, deposit, bank) pro rata to what each paid; floor to the cent, the
    remainder cents to the bank (never more than it paid back in total)."""
    paid = from_fee_pool + from_deposit + borne_by_bank
    if recovered < 0 or recovered > paid:
        raise ValueError("recovery must be within [0, paid]")
    if paid == 0:
        return ZERO, ZERO, ZERO
    to_pool = floor_cent(recovered * from_fee_pool / paid)
    to_deposit = floor_cent(recovered * from_deposit / paid)
    return to_pool, to_deposit, recovered - to_pool - to_deposit


def refuse_pool_loan(amount: Decimal, firm_year_total: Decimal, outstanding: Decimal, deposit: Decimal,
                     leverage: int = DEFAULT_LEVERAGE, firm_year_limit: Decimal = DEFAULT_FIRM_YEAR_LIMIT) -> str | None:
    """≤ 15m per firm per year; total outstanding ≤ leverage × deposit."""
    if amount <= 0:
        return "贷款金额须大于 0"
    if firm_year_total + amount > firm_year_limit:
        return f"该企业本年助保贷合计将达 {firm_year_total + amount:,.2f} 元，超过每户每年 {firm_year_limit:,.2f} 元"
    if outstanding + amount > deposit * leverage:
        return f"贷款余额合计将达 {outstanding + amount:,.2f} 元，超过风险补偿金的 {leverage} 倍（{deposit * leverage:,.2f} 元）"
    return None


def guarantee_fee(amount: Decimal, rate: Decimal = DEFAULT_FEE_RATE, days: int = 365) -> Decimal:
    """助保金: amount × rate × days/365, floor to the cent."""
    return floor_cent(amount * rate * days / 365)
