"""Quarterly 数字贷 interest-subsidy claims as 免申即享, from the repayments banks reported.

For a quarter, each enterprise's subsidy through the quarter's end is computed by
`finance/domain/interest.py` (the policy file's parameters, every repayment dated before the quarter
ends, exact per calendar year, rounded down once per year, capped); what earlier quarters' claims
already hold is taken off, and a positive rest becomes this quarter's claim. Late reports for earlier
quarters are therefore picked up by the next quarter, and nothing is paid twice.

The claims are a policy run of the policy app (one entitlement per enterprise, `period` =
year × 10 + quarter, so the policy app's "settled once per (policy, enterprise, period)" holds per
quarter): the city offers the run, the enterprise confirms on its 可享政策 page, the city approves —
all through `shuzhuan.policy.services`. The city then pays an approved claim from the interest budget
line on the funds ledger (programme `zs-digital-loan-interest`), reference `interest-claim:<id>`;
the ledger's conditional debit refuses a payment the line cannot cover (never overspent).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhuan.core import audit
from shuzhuan.core.domain import format_yuan
from shuzhuan.core.models import is_city_wide
from shuzhuan.finance.domain.interest import ZERO, LoanInterest, Payment, Rules, compute, floor_cents
from shuzhuan.finance.models import InterestClaim, Repayment
from shuzhuan.funds import services as ledger
from shuzhuan.funds.services import Bucket, Kind
from shuzhuan.policy import library
from shuzhuan.policy import services as policy_services
from shuzhuan.policy.domain import runs as run_states

POLICY = "zs-digital-loan-interest"
PROGRAMME = POLICY  # the budget line's programme on the funds ledger


class ClaimError(ValueError):
    """A claim step refused (message for the officer)."""


def period_of(year: int, quarter: int) -> int:
    return year * 10 + quarter


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """[first day, day after the last day) of the quarter."""
    if not 1 <= quarter <= 4 or not 2000 <= year <= 2999:
        raise ClaimError(_("季度应为 1–4，年度应为四位数"))
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end


def previous_quarter(today: dt.date) -> tuple[int, int]:
    quarter = (today.month - 1) // 3 + 1
    return (today.year - 1, 4) if quarter == 1 else (today.year, quarter - 1)


def _rules(on: dt.date) -> tuple[Any, Rules]:
    policy = library.load(POLICY)
    version = policy.version_on(on) or policy.versions[-1]
    return version, Rules.from_parameters(version.values)


def compute_quarter(year: int, quarter: int) -> dict[int, dict[str, Any]]:
    """Per enterprise id: {"cumulative", "before", "amount", "counted", "explanation"} for the quarter —
    subsidy through the quarter's end minus what earlier quarters' claims hold (never below zero)."""
    _start, end = quarter_bounds(year, quarter)
    _version, rules = _rules(end - dt.timedelta(days=1))
    by_loan: dict[int, dict[int, list[Payment]]] = defaultdict(lambda: defaultdict(list))
    principal: dict[int, Decimal] = {}
    rows = (Repayment.objects.filter(on__lt=end, interest__gt=0)
            .values_list("loan__enterprise_id", "loan_id", "loan__disbursed", "on", "interest").order_by("on", "pk"))
    for enterprise_id, loan_id, disbursed, on, interest in rows:
        by_loan[enterprise_id][loan_id].append(Payment(on, interest))
        principal[loan_id] = disbursed
    claimed = dict(InterestClaim.objects.filter(policy=POLICY).exclude(year=year, quarter=quarter)
                   .filter(year__lte=year).exclude(year=year, quarter__gt=quarter)
                   .exclude(entitlement__status=run_states.EXCLUDED)
                   .values("enterprise_id").annotate(total=Sum("amount")).values_list("enterprise_id", "total"))
    out: dict[int, dict[str, Any]] = {}
    for enterprise_id, loans in by_loan.items():
        result = compute([LoanInterest(str(loan_id), principal[loan_id], payments)
                          for loan_id, payments in loans.items()], rules)
        before = claimed.get(enterprise_id) or ZERO
        counted = sum((floor_cents(y.counted) for y in result.years), ZERO)
        out[enterprise_id] = {"cumulative": result.amount, "before": before, "counted": counted,
                              "amount": max(result.amount - before, ZERO), "explanation": result.explanation}
    return out


@transaction.atomic
def run_quarter(actor: Any, year: int, quarter: int) -> Any:
    """The quarter's claims as a policy run (review status; the city offers it). Enterprises that
    already have a claim for the quarter are skipped; returns None when nobody new is owed anything."""
    if actor is not None and getattr(actor, "pk", None) and not is_city_wide(actor):
        raise PermissionDenied
    _start, end = quarter_bounds(year, quarter)
    on = end - dt.timedelta(days=1)
    version, _rules_ = _rules(on)
    figures = compute_quarter(year, quarter)
    done = set(InterestClaim.objects.filter(policy=POLICY, year=year, quarter=quarter)
               .values_list("enterprise_id", flat=True))
    owed = {e: f for e, f in sorted(figures.items()) if f["amount"] > 0 and e not in done}
    if not owed:
        return None
    digest = hashlib.sha256(repr(sorted((e, str(f["cumulative"]), str(f["before"])) for e, f in owed.items()))
                            .encode()).hexdigest()
    total = sum((f["amount"] for f in owed.values()), ZERO)
    summary = {"entitled": len(owed), "settled_before": len(done), "over_quota": 0, "total": str(total),
               "undecided": {POLICY: 0}, "changes": {}, "dropped": [], "quarter": f"{year}Q{quarter}"}
    rows = [{"enterprise_id": e, "amount": f["amount"],
             "inputs": {"quarter": f"{year}Q{quarter}", "interest_counted": str(f["counted"]),
                        "cumulative": str(f["cumulative"]), "claimed_before": str(f["before"])}}
            for e, f in owed.items()]
    run, entitlements = policy_services.create_listed_run(actor, POLICY, version.label, on, period_of(year, quarter),
                                                         digest, rows, summary)
    InterestClaim.objects.bulk_create(
        InterestClaim(enterprise_id=ent.enterprise_id, year=year, quarter=quarter, policy=POLICY, amount=ent.amount,
                      cumulative=owed[ent.enterprise_id]["cumulative"], interest_counted=owed[ent.enterprise_id]["counted"],
                      explanation=owed[ent.enterprise_id]["explanation"], entitlement=ent) for ent in entitlements)
    audit.record(actor, "finance.interest_claims", run,
                 f"数字贷贴息 {year} 年第 {quarter} 季度免申即享：{len(owed)} 家，合计 {format_yuan(total)} 元",
                 changes={"year": year, "quarter": quarter, "enterprises": len(owed), "total": str(total)})
    return run


def run_previous_quarter(today: dt.date | None = None) -> int | None:
    """The periodic task's work: on the first days of a quarter, the claims of the quarter just ended."""
    year, quarter = previous_quarter(today or timezone.localdate())
    run = run_quarter(None, year, quarter)
    return None if run is None else run.pk


# --- the budget line and the payment -------------------------------------------------------------------

def _accounts() -> dict[str, Any]:
    return ledger.standalone_line(PROGRAMME)


def budget() -> dict[str, Decimal]:
    """The interest budget line: available and paid."""
    accounts = _accounts()
    fresh = ledger.fresh_balances([accounts[Bucket.AVAILABLE], accounts[Bucket.PAID]])
    return {"available": fresh[accounts[Bucket.AVAILABLE].pk], "paid": fresh[accounts[Bucket.PAID].pk]}


@transaction.atomic
def fund_budget(actor: Any, amount: Decimal, memo: str = "") -> None:
    """The city allocates money to the interest budget line."""
    if not is_city_wide(actor):
        raise PermissionDenied
    if not isinstance(amount, Decimal) or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ClaimError(_("金额应大于 0，最多两位小数"))
    accounts = _accounts()
    ledger.post(Kind.ALLOCATION, PROGRAMME, actor, [(accounts[Bucket.FUNDING], -amount), (accounts[Bucket.AVAILABLE], amount)],
                 reference=f"budget:{PROGRAMME}", memo=memo or _("数字贷贴息预算"))
    audit.record(actor, "finance.interest_budget", accounts[Bucket.AVAILABLE].line, f"数字贷贴息预算下达 {format_yuan(amount)} 元",
                 changes={"amount": str(amount)})


def pay(actor: Any, claim: InterestClaim) -> InterestClaim:
    """Pay an approved claim from the budget line (available → paid), reference `interest-claim:<id>`;
    the entitlement moves to paid in the same transaction. An uncovered payment moves nothing."""
    if not is_city_wide(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = InterestClaim.objects.select_for_update().select_related("entitlement").get(pk=claim.pk)
        if locked.transaction_id is not None:
            raise ClaimError(_("该申领已支付"))
        if locked.entitlement.status != run_states.APPROVED:
            raise ClaimError(_("企业确认并经市级审批后才能支付"))
        accounts = _accounts()
        try:
            txn = ledger.post(Kind.PAYMENT, PROGRAMME, actor,
                               [(accounts[Bucket.AVAILABLE], -locked.amount), (accounts[Bucket.PAID], locked.amount)],
                               reference=locked.reference, memo=f"{locked.year}Q{locked.quarter} {locked.enterprise}")
        except ledger.InsufficientFunds:
            raise ClaimError(_("贴息预算余额不足，未支付")) from None
        InterestClaim.objects.filter(pk=locked.pk).update(transaction=txn, paid_at=timezone.now())
        policy_services.mark_paid(actor, locked.entitlement,
                                  f"支付数字贷贴息 {locked.year} 年第 {locked.quarter} 季度 {format_yuan(locked.amount)} 元")
        audit.record(actor, "finance.interest_claim.pay", locked,
                     f"支付贴息 {locked.reference} {format_yuan(locked.amount)} 元", organisation=locked.enterprise_id,
                     changes={"amount": str(locked.amount), "transaction": txn.pk})
    locked.refresh_from_db()
    return locked
