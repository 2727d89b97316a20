"""免申即享 runs: one transaction each, audited. The batch engine decides from records; a run
remembers the rule versions and a hash of the inputs it read, stores each entitlement's inputs, and
never offers again what an earlier run settled for the same policy, enterprise and period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from shuzhuan.core.audit import record
from shuzhuan.core.domain import format_yuan
from shuzhuan.core.models import Role, is_city_wide
from shuzhuan.policy import facts, funding, library
from shuzhuan.policy.domain import runs
from shuzhuan.policy.domain.engine import (
    Outcome,
    amount_from_cents,
    apply_quota,
    evaluate,
    evaluate_frame,
    snapshot_hash,
)
from shuzhuan.policy.domain.model import DECIMAL_FACT_SCALE, base_name
from shuzhuan.policy.domain.values import FactInputError, FieldError
from shuzhuan.policy.models import (
    SETTLING,
    Entitlement,
    EntitlementStatus,
    PaymentBatch,
    PolicyRun,
    RunStatus,
)


def _natural(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "money":
        return str(amount_from_cents(value))
    if kind == "decimal":
        return str(Decimal(value).scaleb(-DECIMAL_FACT_SCALE))
    return value


def _versions(codes: list[str], on: dt.date):
    errors, versions = [], []
    if not codes:
        errors.append(FieldError("policies", "至少选择一项政策"))
    for index, code in enumerate(codes):
        try:
            policy = library.load(code)
        except library.UnknownPolicy:
            errors.append(FieldError(f"policies.{index}", f"未知的政策 {code!r}"))
            continue
        version = policy.version_on(on)
        if policy.subject != "enterprise":
            errors.append(FieldError(f"policies.{index}", f"「{policy.title}」的对象是{policy.subject_label}，不能按企业批量判定"))
        elif version is None:
            errors.append(FieldError(f"policies.{index}", f"{on.isoformat()} 不在「{policy.title}」的有效期内"))
        else:
            versions.append(version)
    if errors:
        raise FactInputError(errors)
    return versions


@transaction.atomic
def create_run(actor: Any, codes: list[str], on: dt.date) -> PolicyRun:
    """Evaluate the policies for every enterprise on `on` (period = its year) and store the entitled."""
    from shuzhuan.registry.models import Enterprise

    codes = list(dict.fromkeys(codes))
    versions = _versions(codes, on)
    period = on.year
    keys = list(dict.fromkeys(k for v in versions for k in (*v.facts, *v.quota_facts)))
    frame = facts.load_batch(keys)
    catalog = facts.catalog()
    previous = next((r for r in PolicyRun.objects.filter(period=period) if set(r.policies) & set(codes)), None)
    before = {} if previous is None else {
        (e["policy"], e["enterprise__organisation__uscc"]): e["amount"]
        for e in previous.entitlements.filter(policy__in=codes).exclude(status=EntitlementStatus.EXCLUDED)
        .values("policy", "enterprise__organisation__uscc", "amount")}
    done = set(Entitlement.objects.filter(period=period, policy__in=codes, status__in=SETTLING)
               .values_list("policy", "enterprise__organisation__uscc"))
    ids = dict(Enterprise.objects.values_list("organisation__uscc", "pk"))
    run = PolicyRun.objects.create(policies=codes, on=on, period=period, snapshot=snapshot_hash(frame),
                                   versions={v.policy: v.label for v in versions}, previous=previous,
                                   created_by=actor if getattr(actor, "pk", None) else None)
    current: dict[runs.Key, Decimal] = {}
    rows: list[Entitlement] = []
    undecided: dict[str, int] = {}
    for version in versions:
        settled_here = [uscc for code, uscc in done if code == version.policy]
        results = apply_quota(version, on, frame, evaluate_frame(version, on, frame), settled=settled_here)
        undecided[version.policy] = int(results["undecided"].sum())
        chosen = results.filter(pl.col("eligible") & (pl.col("amount_cents") > 0)).join(
            frame.select("subject", *version.facts), on="subject", how="left")
        for row in chosen.iter_rows(named=True):
            key = (version.policy, row["subject"])
            amount = amount_from_cents(row["amount_cents"])
            current[key] = amount
            status = (EntitlementStatus.SETTLED if key in done else
                      EntitlementStatus.ENTITLED if row["within_quota"] else EntitlementStatus.OVER_QUOTA)
            rows.append(Entitlement(
                run=run, policy=version.policy, version=version.label, enterprise_id=ids[row["subject"]],
                period=period, amount=amount, within_quota=row["within_quota"], status=status,
                inputs={k: _natural(catalog[base_name(k)].type, row[k]) for k in version.facts}))
    changes = runs.compare(before, current)
    uscc_of = {pk: uscc for uscc, pk in ids.items()}
    for item in rows:
        change = changes[(item.policy, uscc_of[item.enterprise_id])]
        item.change, item.previous_amount = change.kind, change.before
    Entitlement.objects.bulk_create(rows, batch_size=2000)
    dropped = [{"policy": c.policy, "uscc": c.subject, "before": str(c.before)}
               for c in changes.values() if c.kind == runs.DROPPED]
    total = sum((r.amount for r in rows if r.status == EntitlementStatus.ENTITLED), Decimal("0.00"))
    run.summary = {"entitled": sum(r.status == EntitlementStatus.ENTITLED for r in rows),
                   "settled_before": sum(r.status == EntitlementStatus.SETTLED for r in rows),
                   "over_quota": sum(r.status == EntitlementStatus.OVER_QUOTA for r in rows),
                   "total": str(total), "undecided": undecided, "changes": runs.summary(changes), "dropped": dropped}
    run.save(update_fields=["summary"])
    record(actor, "policy.run", run, f"免申即享批量判定：{'、'.join(codes)}，{period} 年度，"
                                    f"{run.summary['entitled']} 家可享，合计 {format_yuan(total)} 元",
           changes={"snapshot": run.snapshot, "versions": run.versions})
    return run


def explain(entitlement: Entitlement) -> Outcome:
    """The entitlement's explanation, recomputed from the inputs it stored under the version it used."""
    policy = library.load(entitlement.policy)
    version = next((v for v in policy.versions if v.label == entitlement.version), None)
    if version is None:
        raise LookupError(gettext("%(policy)s 不再包含版本 %(version)s") % {"policy": entitlement.policy, "version": entitlement.version})
    catalog = facts.catalog()
    values = {}
    for key, raw in entitlement.inputs.items():
        kind = catalog[base_name(key)].type
        values[key] = Decimal(raw) if raw is not None and kind in ("money", "decimal") else raw
    return evaluate(version, entitlement.run.on, values, catalog)


# --- review, offer, confirm, approve: one transaction and one audit entry each -------------------------

def _step(actor: Any, entitlement: Entitlement, action: str, summary: str, audit_reason: str = "",
          **fields: Any) -> Entitlement:
    """Move one entitlement by `action`, guarded by its current status (a conditional update: two
    officers acting at once cannot both succeed)."""
    target = runs.next_status(action, entitlement.status)
    with transaction.atomic():
        try:
            with transaction.atomic():
                moved = Entitlement.objects.filter(pk=entitlement.pk, status=entitlement.status).update(
                    status=target, **fields)
        except IntegrityError:
            raise runs.TransitionError(gettext("该企业本年度的这项政策已在其他批次确认或兑现，不能重复")) from None
        if not moved:
            raise runs.TransitionError(gettext("状态已被他人更改，请刷新后重试"))
        previous = entitlement.status
        entitlement.refresh_from_db()
        record(actor, f"policy.{action}", entitlement, summary, organisation=entitlement.enterprise_id,
               changes={"status": [previous, target]}, reason=audit_reason)
    return entitlement


def _town_or_city(actor: Any, entitlement: Entitlement) -> None:
    if not (is_city_wide(actor) or (actor.role == Role.TOWN_OFFICER
                                    and entitlement.enterprise.town_id == actor.town_id)):
        raise PermissionDenied


def exclude(actor: Any, entitlement: Entitlement, reason: str) -> Entitlement:
    """The town (or the city) takes an enterprise off the list, saying why."""
    _town_or_city(actor, entitlement)
    reason = str(reason or "").strip()
    if not reason:
        raise runs.TransitionError(gettext("排除须说明原因"))
    return _step(actor, entitlement, "exclude", f"排除 {entitlement.policy}：{reason}", audit_reason=reason,
                 reason=reason[:200])


def offer(actor: Any, run: PolicyRun) -> int:
    """After review, the city offers every remaining entitlement to its enterprise. Returns how many."""
    if not is_city_wide(actor):
        raise PermissionDenied
    with transaction.atomic():
        count = run.entitlements.filter(status=EntitlementStatus.ENTITLED).update(status=EntitlementStatus.OFFERED)
        PolicyRun.objects.filter(pk=run.pk).update(status=RunStatus.CONFIRMING)
        record(actor, "policy.offer", run, f"推送 {count} 项可享政策给企业确认", changes={"offered": count})
    return count


def confirm(actor: Any, entitlement: Entitlement, bank_account: str) -> Entitlement:
    """The enterprise confirms in one step, naming the account to be paid into."""
    if not (actor.is_authenticated and actor.role == Role.ENTERPRISE and actor.organisation_id == entitlement.enterprise_id):
        raise PermissionDenied
    account = runs.clean_account(bank_account)
    return _step(actor, entitlement, "confirm", f"企业确认享受 {entitlement.policy}（收款账号 {runs.mask_account(account)}）",
                 bank_account=account, confirmed_at=timezone.now())


_PAID_ELSEWHERE: set[str] = set()


def register_paid_elsewhere(*codes: str) -> None:
    """A higher app that pays a policy's entitlements from its own budget line, in its own transaction
    (finance pays the loan-interest claims), registers the code here in its `ready()`: approving such an
    entitlement commits nothing on the policy's line, and `pay_run` leaves it to that app."""
    _PAID_ELSEWHERE.update(codes)


def approve(actor: Any, entitlement: Entitlement) -> Entitlement:
    """The city approves: the amount is committed on the policy's budget line in the same transaction
    (the ledger's conditional debit — a line never goes below zero). Short of money → the ledger's
    `InsufficientFunds` is raised and nothing moves (the entitlement stays confirmed)."""
    from shuzhuan.funds import services as ledger

    if not is_city_wide(actor):
        raise PermissionDenied
    runs.next_status("approve", entitlement.status)
    with transaction.atomic():
        # the money first (nothing in memory changes if the line is short), then the guarded step
        if entitlement.policy not in _PAID_ELSEWHERE:
            ledger.commit(entitlement.policy, entitlement.amount, funding.reference(entitlement.pk), actor,
                          purpose=funding.PURPOSE)
        return _step(actor, entitlement, "approve",
                     f"市级审批 {entitlement.policy} {format_yuan(entitlement.amount)} 元",
                     approved_at=timezone.now())


def approve_run(actor: Any, run: PolicyRun) -> tuple[list[Entitlement], list[tuple[Entitlement, str]]]:
    """Approve every confirmed entitlement of the run, largest first, each committed on its budget line
    (one transaction each). Those the budget cannot cover are refused and stay confirmed, with why."""
    from shuzhuan.funds.services import LedgerError

    if not is_city_wide(actor):
        raise PermissionDenied
    approved: list[Entitlement] = []
    refused: list[tuple[Entitlement, str]] = []
    for row in run.entitlements.filter(status=EntitlementStatus.CONFIRMED).order_by("-amount", "pk"):
        try:
            approved.append(approve(actor, row))
        except (LedgerError, runs.TransitionError) as exc:
            refused.append((row, str(exc)))
    if approved:
        PolicyRun.objects.filter(pk=run.pk, status=RunStatus.CONFIRMING).update(status=RunStatus.APPROVED)
    return approved, refused


@transaction.atomic
def pay_run(actor: Any, run: PolicyRun) -> PaymentBatch:
    """Pay every approved entitlement of the run in one batch: each open commitment → paid in the ledger
    and the entitlement → paid (a conditional update: an entitlement is paid once, the ledger's
    commitment is closed once). Nothing approved → `TransitionError`."""
    from shuzhuan.funds import services as ledger

    if not is_city_wide(actor):
        raise PermissionDenied
    rows = list(run.entitlements.select_for_update().filter(status=EntitlementStatus.APPROVED)
                .exclude(policy__in=_PAID_ELSEWHERE).order_by("pk"))
    if not rows:
        raise runs.TransitionError(gettext("没有待支付的已审批项目"))
    batch = PaymentBatch.objects.create(run=run, count=len(rows), total=sum((r.amount for r in rows), Decimal("0.00")),
                                        created_by=actor if getattr(actor, "pk", None) else None)
    now = timezone.now()
    for row in rows:
        if not Entitlement.objects.filter(pk=row.pk, status=EntitlementStatus.APPROVED).update(
                status=EntitlementStatus.PAID, batch=batch, paid_at=now):
            raise runs.TransitionError(gettext("状态已被他人更改，请刷新后重试"))
        ledger.pay(funding.reference(row.pk), actor)
    if not run.entitlements.filter(status__in=[EntitlementStatus.OFFERED, EntitlementStatus.CONFIRMED,
                                               EntitlementStatus.APPROVED]).exists():
        PolicyRun.objects.filter(pk=run.pk).update(status=RunStatus.CLOSED)
    record(actor, "policy.pay", batch, f"免申即享支付批次：{batch.count} 笔，合计 {format_yuan(batch.total)} 元",
           changes={"run": run.pk, "entitlements": [r.pk for r in rows], "total": str(batch.total)})
    return batch


def create_listed_run(actor: Any, code: str, version: str, on: dt.date, period: int, snapshot: str,
                      rows: list[dict[str, Any]], summary: dict[str, Any]) -> tuple[PolicyRun, list[Entitlement]]:
    """A run whose entitlements a higher app decided from its own records (e.g. finance's quarterly
    interest claims): `rows` of {"enterprise_id", "amount", "inputs"}; review, offer, confirm and
    approve then go through the steps above. The caller's transaction and audit entry."""
    run = PolicyRun.objects.create(policies=[code], on=on, period=period, snapshot=snapshot, versions={code: version},
                                   created_by=actor if getattr(actor, "pk", None) else None, summary=summary)
    made = [Entitlement.objects.create(run=run, policy=code, version=version, enterprise_id=row["enterprise_id"],
                                       period=period, amount=row["amount"], inputs=row.get("inputs", {}),
                                       status=EntitlementStatus.ENTITLED) for row in rows]
    return run, made


def mark_paid(actor: Any, entitlement: Entitlement, summary: str) -> Entitlement:
    """The approved entitlement was paid (by the app that pays it, inside its payment's transaction)."""
    if not is_city_wide(actor):
        raise PermissionDenied
    return _step(actor, entitlement, "pay", summary)
