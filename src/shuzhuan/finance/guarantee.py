"""助保贷 use cases on the funds ledger: the deposit and the fee pool are ledger accounts, every move a
balanced ledger transaction posted by funds' one writer (`funds.services.post`, whose debit of a line's
account happens only if the balance covers it — the conditional UPDATE). A compensation reads the
balances, computes the waterfall and posts; if another compensation took the deposit meanwhile, the
conditional debit refuses and the waterfall is recomputed on the new balance (never an overdraft)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhuan.core import audit
from shuzhuan.finance.domain import guarantee as gd
from shuzhuan.finance.models import BankProfile, GuaranteePool, PoolCompensation, PoolLoan
from shuzhuan.funds import services as ledger
from shuzhuan.funds.services import Bucket, Kind
from shuzhuan.registry.models import Enterprise

RETRIES = 50


class PoolError(Exception):
    pass


def _accounts(pool: GuaranteePool, which: str) -> dict[str, Any]:
    return ledger.standalone_line(f"{pool.code}-{which}")


def balances(pool: GuaranteePool) -> dict[str, Decimal]:
    deposit, fees = _accounts(pool, "deposit"), _accounts(pool, "fees")
    fresh = ledger.fresh_balances([deposit[Bucket.AVAILABLE], fees[Bucket.AVAILABLE], deposit[Bucket.PAID],
                                   fees[Bucket.PAID]])
    return {"deposit": fresh[deposit[Bucket.AVAILABLE].pk], "fee_pool": fresh[fees[Bucket.AVAILABLE].pk],
            "deposit_paid": fresh[deposit[Bucket.PAID].pk], "fee_pool_paid": fresh[fees[Bucket.PAID].pk]}


@transaction.atomic
def fund_deposit(actor: Any, pool: GuaranteePool, amount: Decimal, memo: str = "风险补偿金注入") -> None:
    acc = _accounts(pool, "deposit")
    ledger.post(Kind.ALLOCATION, f"{pool.code}-deposit", actor,
                 [(acc[Bucket.FUNDING], -amount), (acc[Bucket.AVAILABLE], amount)], reference=f"pool:{pool.code}", memo=memo)
    audit.record(actor, "finance.pool.fund", pool, f"{pool.name}注入风险补偿金 {amount} 元")


@transaction.atomic
def register_loan(actor: Any, pool: GuaranteePool, enterprise: Enterprise, bank: BankProfile, amount: Decimal,
                  lent_on: dt.date) -> PoolLoan:
    """A loan under the pool: ≤ the firm's yearly limit, total outstanding ≤ leverage × deposit; its
    guarantee fee (one year at the pool's rate) goes into the fee pool."""
    GuaranteePool.objects.select_for_update().get(pk=pool.pk)  # loans under one pool are registered one at a time
    firm_year = PoolLoan.objects.filter(pool=pool, enterprise=enterprise, lent_on__year=lent_on.year).aggregate(
        s=Sum("amount"))["s"] or Decimal("0.00")
    outstanding = PoolLoan.objects.filter(pool=pool).aggregate(s=Sum("outstanding"))["s"] or Decimal("0.00")
    refused = gd.refuse_pool_loan(amount, firm_year, outstanding, balances(pool)["deposit"], pool.leverage,
                                  pool.firm_year_limit)
    if refused:
        raise PoolError(refused)
    fee = gd.guarantee_fee(amount, pool.fee_rate)
    loan = PoolLoan.objects.create(pool=pool, enterprise=enterprise, bank=bank, amount=amount, lent_on=lent_on, fee=fee,
                                   outstanding=amount)
    if fee:
        acc = _accounts(pool, "fees")
        ledger.post(Kind.ALLOCATION, f"{pool.code}-fees", actor, [(acc[Bucket.FUNDING], -fee), (acc[Bucket.AVAILABLE], fee)],
                     reference=f"pool-loan:{loan.pk}", memo="助保金")
    audit.record(actor, "finance.pool.loan", loan, f"助保贷 {amount} 元，助保金 {fee} 元", organisation=enterprise.pk)
    return loan


def compensate(actor: Any, loan: PoolLoan, loss: Decimal) -> PoolCompensation:
    """The waterfall for a default, posted on the ledger; each loan is compensated once."""
    pool = loan.pool
    deposit, fees = _accounts(pool, "deposit"), _accounts(pool, "fees")
    for _attempt in range(RETRIES):
        try:
            with transaction.atomic():
                locked = PoolLoan.objects.select_for_update().get(pk=loan.pk)
                if locked.compensated:
                    raise PoolError(_("该笔贷款已代偿"))
                if not Decimal("0") < loss <= locked.outstanding:
                    raise PoolError(_("损失须大于 0 且不超过贷款余额"))
                now = balances(pool)
                result = gd.compensate(loss, now["fee_pool"], now["deposit"], pool.government_share)
                moves = []
                if result.from_fee_pool:
                    moves += [(fees[Bucket.AVAILABLE], -result.from_fee_pool), (fees[Bucket.PAID], result.from_fee_pool)]
                if result.from_deposit:
                    moves += [(deposit[Bucket.AVAILABLE], -result.from_deposit),
                              (deposit[Bucket.PAID], result.from_deposit)]
                txn = ledger.post(Kind.PAYMENT, f"{pool.code}-deposit", actor, moves, reference=f"pool-loan:{loan.pk}",
                                   memo="助保贷代偿") if moves else None
                record = PoolCompensation.objects.create(
                    loan=locked, loss=loss, from_fee_pool=result.from_fee_pool, from_deposit=result.from_deposit,
                    borne_by_bank=result.borne_by_bank, transaction=txn)
                locked.compensated, locked.outstanding = True, locked.outstanding - loss
                locked.save(update_fields=["compensated", "outstanding"])
                audit.record(actor, "finance.pool.compensate", locked, "；".join(result.explanation),
                             organisation=locked.enterprise_id)
                return record
        except ledger.InsufficientFunds:
            continue  # another compensation moved the balances: recompute the waterfall on the new ones
    raise PoolError(_("资金池繁忙，请稍后重试"))


def quarterly(pool: GuaranteePool) -> list[dict[str, Any]]:
    """By quarter of lending: firms served, amount lent, compensation paid from the pool (fee pool + deposit)."""
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    for lent_on, enterprise_id, amount in PoolLoan.objects.filter(pool=pool).values_list("lent_on", "enterprise_id",
                                                                                         "amount"):
        key = (lent_on.year, (lent_on.month - 1) // 3 + 1)
        row = rows.setdefault(key, {"firms": set(), "amount": Decimal("0.00"), "compensation": Decimal("0.00")})
        row["firms"].add(enterprise_id)
        row["amount"] += amount
    for at, paid in PoolCompensation.objects.filter(loan__pool=pool).values_list("at", "from_deposit"):
        at = timezone.localtime(at)
        key = (at.year, (at.month - 1) // 3 + 1)
        rows.setdefault(key, {"firms": set(), "amount": Decimal("0.00"), "compensation": Decimal("0.00")})
        rows[key]["compensation"] += paid
    return [{"quarter": f"{y} 年第 {q} 季度", "firms": len(r["firms"]), "amount": r["amount"],
             "compensation": r["compensation"]} for (y, q), r in sorted(rows.items())]
