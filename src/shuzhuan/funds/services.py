"""Use cases of the ledger: allocate, commit, release, pay; balances and reconciliation.

Every use case is one database transaction and one audit entry, and moves money only through
`_post`, the one writer of `Account.balance`. A debit of a line's account is a conditional UPDATE
(`balance = balance - x WHERE balance >= x`) whose row count is checked, so no line goes below
zero even when approvals run at once in several processes: PostgreSQL locks the row and re-checks
the condition after a concurrent writer commits; SQLite runs one writer at a time (IMMEDIATE
transactions). Accounts are updated in id order, so two transactions never wait on each other in
a circle. The CHECK (balance ≥ 0) constraint is the last line of defence.

Errors: `LedgerError` (bad input or state; Chinese message) and its subclass `InsufficientFunds`
(names the line and the amounts). Nothing moves when either is raised.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhuan.core import audit
from shuzhuan.core.domain import CENT, MAX_YUAN, format_yuan
from shuzhuan.core.money import check_purpose_split, split
from shuzhuan.funds import programmes
from shuzhuan.funds.domain import ZERO, largest_split_within
from shuzhuan.funds.models import (
    Account,
    Bucket,
    BudgetLine,
    Commitment,
    CommitmentStatus,
    FundSource,
    Kind,
    LedgerTransaction,
    Posting,
    Purpose,
    SourceCode,
)
from shuzhuan.funds.programmes import FundedProgramme as Programme
from shuzhuan.funds.programmes import FundedVersion as ProgrammeVersion

MAX_AMOUNT = MAX_YUAN  # what a money column (an amount, a stored balance) holds
LINE_BUCKETS = (Bucket.AVAILABLE, Bucket.COMMITTED, Bucket.PAID)


class LedgerError(ValueError):
    """A ledger operation refused; the message says why, in Chinese. Nothing was posted."""


class InsufficientFunds(LedgerError):
    """A line's account holds less than the operation needs."""

    def __init__(self, line: str, bucket: str, balance: Decimal, needed: Decimal):
        self.line, self.bucket, self.balance, self.needed = line, bucket, balance, needed
        super().__init__(f"预算线「{line}」{Bucket(bucket).label}余额 {format_yuan(balance)} 元，"
                         f"不足 {format_yuan(needed)} 元；本次操作未记账")


@dataclass(frozen=True)
class Difference:
    """An account whose stored balance differs from the sum of its postings."""

    account_id: int
    account: str
    stored: Decimal
    posted: Decimal


@dataclass(frozen=True)
class Reconciliation:
    differences: list[Difference] = field(default_factory=list)
    unbalanced: list[int] = field(default_factory=list)  # transaction ids whose postings do not sum to zero
    negative: list[int] = field(default_factory=list)  # line accounts below zero (the CHECK forbids it)
    commitments: list[str] = field(default_factory=list)  # committed balances that differ from open commitments
    accounts: int = 0
    transactions: int = 0

    @property
    def clean(self) -> bool:
        return not (self.differences or self.unbalanced or self.negative or self.commitments)

    def messages(self) -> list[str]:
        lines = [f"账户「{d.account}」记录余额 {format_yuan(d.stored)} 元，按分录应为 {format_yuan(d.posted)} 元"
                 for d in self.differences]
        lines += [f"凭证 #{pk} 的分录合计不为零" for pk in self.unbalanced]
        lines += [f"账户 #{pk} 余额为负" for pk in self.negative]
        lines += self.commitments
        return lines


# --- validation -------------------------------------------------------------------------------------

def _programme(code: str) -> Programme:
    try:
        return programmes.load(code)
    except programmes.UnknownProgramme:
        raise LedgerError(_("未知的奖补计划 %(code)s；可用：%(items)s") % {"code": repr(code), "items": '、'.join(programmes.available())}) from None


def version_for(programme: Programme, on: Any = None) -> ProgrammeVersion:
    """The rules in force today; after the last version ends, the last one; before the first, the first."""
    today = on or timezone.localdate()
    version = programme.version_on(today)
    if version is not None:
        return version
    started = [v for v in programme.versions if v.effective_from <= today]
    return max(started, key=lambda v: v.effective_from) if started else min(programme.versions, key=lambda v: v.effective_from)


def _amount(value: Any, *, signed: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int) or not Decimal(value).is_finite():
        raise LedgerError(_("金额应为 Decimal（元，最多两位小数）"))
    amount = Decimal(value)
    if amount != amount.quantize(CENT):
        raise LedgerError(_("金额最多两位小数（分）"))
    if amount == 0 or (amount < 0 and not signed):
        raise LedgerError(_("金额应大于 0") if not signed else _("金额不能为 0"))
    if abs(amount) > MAX_AMOUNT:
        raise LedgerError(_("金额不能超过 %(amount)s 元") % {"amount": format_yuan(MAX_AMOUNT)})
    return amount.quantize(CENT)


def _purpose(value: str) -> str:
    if value not in Purpose.values:
        raise LedgerError(_("未知的用途 %(value)s；可用：%(items)s") % {"value": repr(value), "items": '、'.join(f'{p.value}（{p.label}）' for p in Purpose)})
    return value


def _source(programme: Programme, version: ProgrammeVersion, code: str) -> FundSource:
    labels = {s.code: s.label for v in programme.versions for s in v.fund_sources}
    if code not in labels or code not in SourceCode.values:
        known = "、".join(f"{s.code}（{s.label}）" for s in version.fund_sources)
        raise LedgerError(_("奖补计划「%(title)s」没有资金来源 %(code)s；可用：%(known)s") % {"title": programme.title, "code": repr(code), "known": known})
    source, _created = FundSource.objects.get_or_create(code=code, defaults={"label": labels[code]})
    return source


def _reference(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LedgerError(_("业务编号不能为空（如 project:123）"))
    value = value.strip()
    if len(value) > 64:
        raise LedgerError(_("业务编号最长 64 个字符"))
    return value


# --- lines and accounts ------------------------------------------------------------------------------

def line_name(programme: str, source: FundSource, purpose: str) -> str:
    return f"{programme} · {source.label} · {Purpose(purpose).label}"


def _open_line(programme: str, source: FundSource, purpose: str) -> BudgetLine:
    line, _created = BudgetLine.objects.get_or_create(
        programme=programme, source=source, purpose=purpose,
        defaults={"name": line_name(programme, source, purpose), "year": timezone.localdate().year},
    )
    for bucket in LINE_BUCKETS:
        Account.objects.get_or_create(line=line, bucket=bucket, defaults={"programme": programme, "source": source})
    return line


def _funding(programme: str, source: FundSource) -> Account:
    account, _created = Account.objects.get_or_create(programme=programme, source=source, bucket=Bucket.FUNDING,
                                                      defaults={"line": None})
    return account


def _line_accounts(line_ids: Iterable[int]) -> dict[tuple[int, str], Account]:
    return {(a.line_id, a.bucket): a for a in Account.objects.filter(line_id__in=list(line_ids)).select_related("line")}


# --- the one writer of balances ------------------------------------------------------------------------

def _post(kind: str, programme: str, actor: Any, moves: Iterable[tuple[Account, Decimal]], *,
          reference: str = "", memo: str = "") -> LedgerTransaction:
    """Record one balanced transaction and apply it to the stored balances, in account id order.

    A debit of a line's account only happens if the balance covers it (checked in the UPDATE);
    otherwise `InsufficientFunds` is raised and the caller's transaction rolls back.
    """
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    accounts: dict[int, Account] = {}
    for account, amount in moves:
        totals[account.pk] += amount
        accounts[account.pk] = account
    entries = [(accounts[pk], amount) for pk, amount in sorted(totals.items()) if amount]
    if not entries:
        raise LedgerError(_("没有需要记账的金额"))
    if sum((amount for _a, amount in entries), ZERO) != 0:
        raise LedgerError(_("借贷不平衡：分录合计应为零"))
    for account, amount in entries:
        rows = Account.objects.filter(pk=account.pk)
        if amount < 0 and account.bucket != Bucket.FUNDING:
            rows = rows.filter(balance__gte=-amount)
        # a balance never leaves what its column holds (no overflow error from the database)
        rows = rows.filter(balance__lte=MAX_AMOUNT - amount) if amount > 0 else rows.filter(balance__gte=-MAX_AMOUNT - amount)
        if rows.update(balance=F("balance") + amount) != 1:
            balance = Account.objects.values_list("balance", flat=True).get(pk=account.pk)
            if abs(balance + amount) > MAX_AMOUNT:
                raise LedgerError(_("余额不能超过 %(amount)s 元") % {"amount": format_yuan(MAX_AMOUNT)})
            balance = Account.objects.values_list("balance", flat=True).get(pk=account.pk)
            raise InsufficientFunds(str(account.line), account.bucket, balance, -amount)
    txn = LedgerTransaction.objects.create(
        kind=kind, programme=programme, reference=reference, memo=memo[:300],
        by=actor if getattr(actor, "pk", None) else None, by_label=audit.actor_label(actor)[:150],
    )
    Posting.objects.bulk_create(Posting(transaction=txn, account=account, amount=amount) for account, amount in entries)
    return txn


# --- allocation and the purpose rule -------------------------------------------------------------------

def allocated(programme: str, source: str) -> dict[str, Decimal]:
    """What has been allocated to each purpose of one source (allocations and adjustments)."""
    rows = (Posting.objects.filter(account__programme=programme, account__source__code=source,
                                   account__bucket=Bucket.AVAILABLE, transaction__kind__in=[Kind.ALLOCATION, Kind.ADJUSTMENT])
            .values("account__line__purpose").annotate(total=Sum("amount")))
    totals = {purpose: ZERO for purpose in Purpose.values}
    for row in rows:
        totals[row["account__line__purpose"]] = row["total"]
    return totals


def purpose_check(programme: str, source: str, direct_sme: Decimal, public_services: Decimal) -> list[str]:
    """Violations of the programme's purpose rule for these totals of one source (none → [])."""
    prog = _programme(programme)
    version = version_for(prog)
    rule = version.purpose_rule
    if rule is None or source not in rule.applies_to:
        return []
    label = {s.code: s.label for v in prog.versions for s in v.fund_sources}.get(source, source)
    return check_purpose_split(direct_sme, public_services, rule, label)


def allocate(programme: str, source: str, purpose: str, amount: Decimal, actor: Any, memo: str = "") -> LedgerTransaction:
    """Funding → the line's available money (the line and its accounts are opened if needed)."""
    return _allocate(Kind.ALLOCATION, programme, source, purpose, _amount(amount), actor, memo)


def adjust(programme: str, source: str, purpose: str, amount: Decimal, actor: Any, memo: str) -> LedgerTransaction:
    """A correction of an allocation: a positive amount adds to the line, a negative one takes back
    (only from what is still available). The purpose rule holds afterwards, or nothing moves."""
    if not str(memo or "").strip():
        raise LedgerError(_("调整须说明原因"))
    return _allocate(Kind.ADJUSTMENT, programme, source, purpose, _amount(amount, signed=True), actor, memo)


def _allocate(kind: str, programme: str, source: str, purpose: str, amount: Decimal, actor: Any,
              memo: str) -> LedgerTransaction:
    prog = _programme(programme)
    version = version_for(prog)
    purpose = _purpose(purpose)
    with transaction.atomic():
        fund = _source(prog, version, source)
        line = _open_line(prog.code, fund, purpose)
        funding = _funding(prog.code, fund)
        # Lock the source's funding account first: allocations of one source then run one at a time,
        # so the purpose rule below is checked against every committed allocation.
        Account.objects.filter(pk=funding.pk).update(balance=F("balance"))
        totals = allocated(prog.code, source)
        totals[purpose] += amount
        # A take-back of more than was allocated finds the line short in `_post` below.
        violations = [] if min(totals.values()) < 0 else purpose_check(
            prog.code, source, totals[Purpose.DIRECT_SME], totals[Purpose.PUBLIC_SERVICES])
        if violations:
            raise LedgerError(_("不符合资金用途规定：%(items)s；本次%(label)s未执行") % {"items": '；'.join(violations), "label": Kind(kind).label})
        available = _line_accounts([line.pk])[(line.pk, Bucket.AVAILABLE)]
        txn = _post(kind, prog.code, actor, [(funding, -amount), (available, amount)], memo=memo)
        audit.record(actor, f"funds.{kind}", txn, f"{Kind(kind).label} {line.name} {format_yuan(amount)} 元",
                     changes={"programme": prog.code, "source": source, "purpose": purpose, "amount": str(amount)},
                     reason=memo)
    return txn


# --- commitments -------------------------------------------------------------------------------------

def commit(programme: str, amount: Decimal, reference: str, actor: Any, purpose: str = "direct_sme") -> dict[str, Decimal]:
    """Set `amount` aside for `reference` at approval: split across the programme's sources by its
    shares (exact cents, remainder to the first sources), each part moved from the source's line's
    available money to committed. If any line lacks its part, nothing moves (`InsufficientFunds`).
    Returns the parts by source code, in the programme's order."""
    prog = _programme(programme)
    version = version_for(prog)
    amount = _amount(amount)
    reference = _reference(reference)
    purpose = _purpose(purpose)
    parts = split(amount, version.shares)
    with transaction.atomic():
        if Commitment.objects.filter(reference=reference, status=CommitmentStatus.OPEN).exists():
            raise LedgerError(_("%(reference)s 已有未结的资金承诺，请先支付或释放") % {"reference": reference})
        lines = {line.source.code: line for line in BudgetLine.objects.filter(programme=prog.code, purpose=purpose)
                 .select_related("source")}
        labels = {s.code: s.label for s in version.fund_sources}
        for code, part in parts.items():
            if part and code not in lines:
                raise InsufficientFunds(f"{prog.code} · {labels[code]} · {Purpose(purpose).label}",
                                        Bucket.AVAILABLE, ZERO, part)
        accounts = _line_accounts(line.pk for line in lines.values())
        moves: list[tuple[Account, Decimal]] = []
        for code, part in parts.items():
            if part:
                line = lines[code]
                moves += [(accounts[(line.pk, Bucket.AVAILABLE)], -part), (accounts[(line.pk, Bucket.COMMITTED)], part)]
        txn = _post(Kind.COMMITMENT, prog.code, actor, moves, reference=reference,
                    memo=f"承诺 {format_yuan(amount)} 元")
        try:
            with transaction.atomic():
                Commitment.objects.create(reference=reference, programme=prog.code, purpose=purpose, amount=amount,
                                          opened=txn)
        except IntegrityError:
            raise LedgerError(_("%(reference)s 已有未结的资金承诺，请先支付或释放") % {"reference": reference}) from None
        audit.record(actor, "funds.commit", txn, f"承诺 {reference} {format_yuan(amount)} 元（{prog.code}）",
                     changes={"reference": reference, "amount": str(amount),
                              "by_source": {k: str(v) for k, v in parts.items()}})
    return parts


def open_commitment(reference: str) -> dict[str, Decimal] | None:
    """The parts by source still committed for `reference`, or None when it has no open commitment."""
    found = Commitment.objects.filter(reference=reference, status=CommitmentStatus.OPEN).first()
    return None if found is None else _commitment_parts(found)


def _commitment_parts(commitment: Commitment) -> dict[str, Decimal]:
    rows = (Posting.objects.filter(transaction_id=commitment.opened_id, account__bucket=Bucket.COMMITTED)
            .select_related("account__source").order_by("account_id"))
    return {row.account.source.code: row.amount for row in rows}


def _close(reference: str, actor: Any, status: str, kind: str, target: str, reason: str = "") -> dict[str, Decimal]:
    reference = _reference(reference)
    with transaction.atomic():
        found = Commitment.objects.filter(reference=reference, status=CommitmentStatus.OPEN).first()
        # The conditional update locks the commitment: a second pay or release of it finds nothing open.
        if found is None or not Commitment.objects.filter(pk=found.pk, status=CommitmentStatus.OPEN).update(status=status):
            raise LedgerError(_("%(reference)s 没有未结的资金承诺") % {"reference": reference})
        postings = list(Posting.objects.filter(transaction_id=found.opened_id, account__bucket=Bucket.COMMITTED)
                        .select_related("account__source", "account__line"))
        accounts = _line_accounts({p.account.line_id for p in postings})
        moves: list[tuple[Account, Decimal]] = []
        parts: dict[str, Decimal] = {}
        for posting in postings:
            moves += [(posting.account, -posting.amount), (accounts[(posting.account.line_id, target)], posting.amount)]
            parts[posting.account.source.code] = posting.amount
        label = Kind(kind).label
        txn = _post(kind, found.programme, actor, moves, reference=reference,
                    memo=f"{label} {format_yuan(found.amount)} 元" + (f"：{reason}" if reason else ""))
        Commitment.objects.filter(pk=found.pk).update(closed=txn)
        audit.record(actor, f"funds.{kind}", txn, f"{label} {reference} {format_yuan(found.amount)} 元（{found.programme}）",
                     changes={"reference": reference, "amount": str(found.amount),
                              "by_source": {k: str(v) for k, v in parts.items()}}, reason=reason)
    order = [s.code for s in version_for(_programme(found.programme)).fund_sources]
    return dict(sorted(parts.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))


def release(reference: str, actor: Any, reason: str) -> dict[str, Decimal]:
    """Reverse the open commitment of `reference` (committed → available). Returns the parts."""
    if not str(reason or "").strip():
        raise LedgerError(_("释放资金须说明原因"))
    return _close(reference, actor, CommitmentStatus.RELEASED, Kind.RELEASE, Bucket.AVAILABLE, reason.strip())


def pay(reference: str, actor: Any) -> dict[str, Decimal]:
    """Pay the open commitment of `reference` (committed → paid). Returns the parts by source."""
    return _close(reference, actor, CommitmentStatus.PAID, Kind.PAYMENT, Bucket.PAID)


# --- reading -------------------------------------------------------------------------------------------

def balances(programme: str) -> dict[tuple[str, str], dict[str, Decimal]]:
    """Per line, keyed (source code, purpose): {"available", "committed", "paid"} from stored balances,
    in the programme's source order."""
    prog = _programme(programme)
    order = [s.code for s in version_for(prog).fund_sources]
    result: dict[tuple[str, str], dict[str, Decimal]] = {}
    rows = (Account.objects.filter(programme=prog.code, line__isnull=False)
            .values_list("line__source__code", "line__purpose", "bucket", "balance"))
    for source, purpose, bucket, balance in rows:
        result.setdefault((source, purpose), {b: ZERO for b in LINE_BUCKETS})[bucket] = balance

    def key(item: tuple[tuple[str, str], Any]) -> tuple[int, int]:
        (source, purpose), _values = item
        return (order.index(source) if source in order else len(order), Purpose.values.index(purpose))

    return dict(sorted(result.items(), key=key))


def commitments_by_reference(programme: str) -> dict[str, tuple[str, dict[str, Decimal]]]:
    """Per reference (a project), the money the ledger set aside for it and not released, from the
    postings: {reference: (status "open" or "paid", {source code: amount})}. One query; a
    reference committed, released and committed again counts its live commitment only."""
    rows = (Posting.objects.filter(account__bucket=Bucket.COMMITTED, amount__gt=0,
                                   transaction__opened_commitments__programme=programme,
                                   transaction__opened_commitments__status__in=(CommitmentStatus.OPEN, CommitmentStatus.PAID))
            .values_list("transaction__opened_commitments__reference", "transaction__opened_commitments__status",
                         "account__source__code")
            .annotate(total=Sum("amount")).order_by())
    result: dict[str, tuple[str, dict[str, Decimal]]] = {}
    for reference, status, source, total in rows:
        result.setdefault(reference, (status, {}))[1][source] = Decimal(total).quantize(CENT)
    return result


def free_direct_balance(programme: str) -> Decimal:
    """What the programme still has for a subsidy (DESIGN decision 8): the free balance of its
    direct-subsidy lines, as the largest amount a commitment split by the programme's shares can
    still take (equal to their sum when the lines are in proportion to the shares)."""
    prog = _programme(programme)
    version = version_for(prog)
    limits = {source: values[Bucket.AVAILABLE] for (source, purpose), values in balances(prog.code).items()
              if purpose == Purpose.DIRECT_SME}
    return largest_split_within(limits, version.shares)


def reconcile() -> Reconciliation:
    """Recompute every balance from the postings and compare: stored balances, balanced transactions,
    no negative line account, and committed balances equal to the open commitments."""
    accounts = list(Account.objects.annotate(posted=Coalesce(Sum("postings__amount"), ZERO)).select_related("line", "source"))
    differences = [Difference(a.pk, str(a), a.balance, a.posted) for a in accounts if a.balance != a.posted]
    unbalanced = list(LedgerTransaction.objects.annotate(total=Coalesce(Sum("postings__amount"), ZERO), n=Count("postings"))
                      .filter(~Q(total=0) | Q(n__lt=2)).order_by("pk").values_list("pk", flat=True))
    negative = list(Account.objects.exclude(bucket=Bucket.FUNDING).filter(balance__lt=0).values_list("pk", flat=True))
    open_parts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for account_id, amount in (Posting.objects.filter(account__bucket=Bucket.COMMITTED, transaction__kind=Kind.COMMITMENT,
                                                      transaction__opened_commitments__status=CommitmentStatus.OPEN)
                               .values_list("account_id", "amount")):
        open_parts[account_id] += amount
    commitments = [f"账户「{a}」已承诺余额 {format_yuan(a.balance)} 元，未结承诺合计 {format_yuan(open_parts[a.pk])} 元"
                   for a in accounts if a.bucket == Bucket.COMMITTED and a.balance != open_parts[a.pk]]
    return Reconciliation(differences=differences, unbalanced=unbalanced, negative=negative, commitments=commitments,
                          accounts=len(accounts), transactions=LedgerTransaction.objects.count())


# --- lines outside the programme catalogue: a higher app's own budget (the interest-subsidy budget, a
# guarantee pool's deposit). The same accounts, the same one writer and its conditional debit. ---------

def standalone_line(programme: str, source: str = "municipal", label: str = "市级",
                    purpose: str = Purpose.DIRECT_SME) -> dict[str, Account]:
    """The line's accounts by bucket (available, committed, paid) and the source's funding account
    (key `Bucket.FUNDING`), opened if needed."""
    fund, _created = FundSource.objects.get_or_create(code=source, defaults={"label": label})
    line = _open_line(programme, fund, _purpose(purpose))
    accounts = {a.bucket: a for a in Account.objects.filter(line=line)}
    accounts[Bucket.FUNDING] = _funding(programme, fund)
    return accounts


def fresh_balances(accounts: Iterable[Account]) -> dict[int, Decimal]:
    """The stored balance of each account now, by account id."""
    return dict(Account.objects.filter(pk__in=[a.pk for a in accounts]).values_list("pk", "balance"))


def post(kind: str, programme: str, actor: Any, moves: Iterable[tuple[Account, Decimal]], *,
         reference: str = "", memo: str = "") -> LedgerTransaction:
    """Post one balanced transaction on standalone lines (`_post`: a debit only if the balance covers
    it, else `InsufficientFunds` and the caller's transaction rolls back)."""
    return _post(kind, programme, actor, moves, reference=reference, memo=memo)
