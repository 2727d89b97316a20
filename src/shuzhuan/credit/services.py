"""Consent services: one transaction each, audited. Fail closed: a portrait is computed for a bank only
after an active, unexpired consent for that bank is found, and the read is logged in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhuan.core import audit
from shuzhuan.core.models import Organisation, OrganisationKind, Role
from shuzhuan.credit import domain as cd
from shuzhuan.credit.models import AccessLog, Consent, ModelVersion, Outcome, PublicRecord
from shuzhuan.finance import services as finance_services
from shuzhuan.registry.models import Enterprise, EnterpriseYear

PORTRAIT_FIELDS = ["score", "band", "grantable_credit", "warnings", "model_version"]
LISTINGS = ("dishonesty", "major_tax")


class CreditError(Exception):
    def __init__(self, message: str, errors: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.errors = errors or []


class ConsentRequired(Exception):
    """No active, unexpired consent of this enterprise for this bank."""


def _history(consent: Consent, status: str, actor, note: str = "") -> None:
    consent.history = [*consent.history, {"status": status, "at": timezone.now().isoformat(),
                                          "by": getattr(actor, "username", ""), "note": note}]


def grant(user, bank_uscc: str, purpose: str, expires: dt.date | None, method: str = cd.METHOD_WEB) -> Consent:
    if user.role != Role.ENTERPRISE or not user.organisation_id:
        raise CreditError(_("只有企业用户可以授权"))
    enterprise = Enterprise.objects.select_related("organisation").get(pk=user.organisation_id)
    errors = cd.validate_consent(purpose, expires, timezone.localdate(), settings.CREDIT_CONSENT_MAX_DAYS)
    bank = Organisation.objects.filter(uscc=(bank_uscc or "").strip().upper(), kind=OrganisationKind.BANK).first()
    if bank is None:
        errors.insert(0, ("bank", _("未找到该统一社会信用代码对应的合作银行")))
    if errors:
        raise CreditError(errors[0][1], errors)
    with transaction.atomic():
        consent = Consent(enterprise=enterprise, bank=bank, purpose=purpose, expires=expires, method=method,
                          data_categories=list(cd.DATA_CATEGORIES), granted_by=user)
        _history(consent, cd.ACTIVE, user, "授权")
        consent.save()
        audit.record(user, "credit.consent_granted", consent,
                     f"授权{bank.name}查看信用画像（{consent.purpose_label}，至 {expires:%Y-%m-%d}）",
                     organisation=enterprise.organisation)
    return consent


def revoke(user, consent: Consent) -> Consent:
    if user.role != Role.ENTERPRISE or consent.enterprise_id != user.organisation_id:
        raise CreditError(_("只有授权企业本身可以撤销授权"))
    with transaction.atomic():
        consent = Consent.objects.select_for_update().select_related("bank", "enterprise__organisation").get(pk=consent.pk)
        if consent.status == cd.REVOKED:
            return consent
        consent.status, consent.revoked_at = cd.REVOKED, timezone.now()
        _history(consent, cd.REVOKED, user, "撤销")
        consent.save(update_fields=["status", "revoked_at", "history"])
        audit.record(user, "credit.consent_revoked", consent, f"撤销对{consent.bank.name}的数据授权",
                     organisation=consent.enterprise.organisation)
    return consent


def active_consent(bank_id: int, enterprise: Enterprise, purpose: str | None = None) -> Consent | None:
    qs = Consent.objects.active().filter(bank_id=bank_id, enterprise=enterprise)
    if purpose:
        qs = qs.filter(purpose=purpose)
    return qs.order_by("-expires").first()


def compute_portrait(enterprise: Enterprise) -> dict[str, Any]:
    years = [cd.Year(y.year, y.tax, y.employees)
             for y in EnterpriseYear.objects.filter(enterprise=enterprise).order_by("-year")[:3]]
    listed = finance_services.is_listed(enterprise, timezone.localdate(), LISTINGS)
    records = public_facts(enterprise)
    listed = listed or bool(records.get("dishonesty", {}).get("listed"))
    result = cd.portrait(years, listed, cd.load_rules(), records)
    model = ModelVersion.objects.filter(active=True).order_by("-trained_at").first()
    if model is not None and records:
        from shuzhuan.credit import scorecard as sc

        value = int(round(sc.scores(_fitted(model), [sc.features(_by_period(enterprise), model.target_year)])[0]))
        result.update(score=value, band=cd.band(value, cd.load_rules()), model_version=model.version)
    return result


_FITTED: dict[str, object] = {}


def _fitted(model: ModelVersion):
    from shuzhuan.credit import scorecard as sc

    if model.version not in _FITTED:
        _FITTED[model.version] = sc.load(bytes(model.fitted))
    return _FITTED[model.version]


def _by_period(enterprise_or_id) -> dict[str, dict[str, dict]]:
    out: dict[str, dict[str, dict]] = {}
    for feed, period, values in PublicRecord.objects.filter(enterprise=enterprise_or_id).values_list("feed", "period", "values"):
        out.setdefault(feed, {})[period] = values
    return out


def train_scorecard(target_year: int, seed: int = 2024, version: str = "") -> ModelVersion:
    """Train on every firm with a loan_status record for `target_year` (features of the year before), store
    the fitted model under a new version with held-out AUC / KS, the IV table and PSI between periods."""
    from shuzhuan.credit import scorecard as sc

    grouped: dict[int, dict[str, dict[str, dict]]] = {}
    for ent, feed, period, values in PublicRecord.objects.values_list("enterprise_id", "feed", "period", "values").iterator(chunk_size=20000):
        grouped.setdefault(ent, {}).setdefault(feed, {})[period] = values
    rows, next_rows, y = [], [], []
    for by in grouped.values():
        status = by.get("loan_status", {}).get(str(target_year))
        if status is None:
            continue
        rows.append(sc.features(by, target_year - 1))  # last year's indicators → this year's default
        next_rows.append(sc.features(by, target_year))  # the period the model will score next
        y.append(int(bool(status.get("overdue_90"))))
    if len(y) < 200 or sum(y) < 20:
        raise CreditError(_("训练数据不足：需要至少 200 家企业、20 个违约样本"))
    trained = sc.train(rows, y, seed=seed)
    trained.metrics["psi"] = sc.psi(sc.scores(trained.model, rows), sc.scores(trained.model, next_rows))
    version = version or f"scorecard-{timezone.now():%Y%m%d%H%M%S}"
    with transaction.atomic():
        ModelVersion.objects.filter(kind="default_scorecard").update(active=False)
        mv = ModelVersion.objects.create(version=version, target_year=target_year, metrics=trained.metrics,
                                         iv_table=trained.iv_table, fitted=trained.dump())
    return mv


def public_facts(enterprise: Enterprise) -> dict[str, dict]:
    """The latest period's values of each feed for this firm (read inside the domain, never sent out)."""
    latest: dict[str, dict] = {}
    for r in PublicRecord.objects.filter(enterprise=enterprise).order_by("feed", "-period"):
        latest.setdefault(r.feed, r.values)
    return latest


def receive(feed: str, rows: list[dict], batch: str, actor=None) -> dict[str, int]:
    """A department's batch for one feed: every row checked against the declared format, all or nothing.
    Rows are keyed by `uscc` and `period`; a later batch for the same period replaces the values."""
    feeds = cd.load_feeds()
    if feed not in feeds:
        raise CreditError(_("未声明的数据源"), [("feed", _("未声明的数据源"))])
    spec = feeds[feed]
    usccs = {str(r.get("uscc", "")).strip().upper() for r in rows}
    firms = {e.organisation.uscc: e for e in Enterprise.objects.filter(organisation__uscc__in=usccs)
             .select_related("organisation")}
    parsed, errors = [], []
    for index, row in enumerate(rows, start=1):
        values, row_errors = cd.parse_row(row, spec)
        ent = firms.get(str(row.get("uscc", "")).strip().upper())
        if ent is None:
            row_errors.append(("uscc", _("未找到该统一社会信用代码对应的企业")))
        errors += [(f"rows[{index}].{f}", m) for f, m in row_errors]
        parsed.append((ent, str(row.get("period", "")), values))
    if errors:
        raise CreditError(errors[0][1], errors)
    now = timezone.now()
    created = updated = 0
    with transaction.atomic():
        for ent, period, values in parsed:
            _r, was_created = PublicRecord.objects.update_or_create(
                enterprise=ent, feed=feed, period=period,
                defaults={"values": values, "department": spec["department"], "batch": batch, "received_at": now})
            created += was_created
            updated += not was_created
    return {"created": created, "updated": updated}


def read_portrait(user, enterprise: Enterprise, channel: str = "api") -> dict[str, Any]:
    """A bank's read: raises ConsentRequired without an active consent; logs every successful read."""
    if user.role != Role.BANK or not user.organisation_id:
        return compute_portrait(enterprise)  # officers and the enterprise itself: no consent needed, not a bank read
    with transaction.atomic():
        consent = active_consent(user.organisation_id, enterprise)
        if consent is None:
            raise ConsentRequired
        result = compute_portrait(enterprise)
        AccessLog.objects.create(enterprise=enterprise, bank_id=user.organisation_id, user=user, consent=consent,
                                 purpose=consent.purpose, fields=list(PORTRAIT_FIELDS), channel=channel)
    return result


def report_outcome(user, enterprise: Enterprise, decision: str, amount: str | None, reason: str) -> Outcome:
    if user.role != Role.BANK or not user.organisation_id:
        raise CreditError(_("只有银行可以报送授信结果"))
    errors: list[tuple[str, str]] = []
    value: Decimal | None = None
    if decision not in (Outcome.GRANTED, Outcome.DECLINED):
        errors.append(("decision", _("结果须为 granted 或 declined")))
    elif decision == Outcome.GRANTED:
        try:
            value = Decimal(str(amount)).quantize(Decimal("0.01")) if amount not in (None, "") else None
        except (InvalidOperation, ValueError):
            value = None
        if value is None or value <= 0 or value >= Decimal("1e14"):
            errors.append(("amount", _("已授信须填写大于 0 的授信金额")))
    elif not (reason or "").strip():
        errors.append(("reason", _("未授信须说明原因")))
    if errors:
        raise CreditError(errors[0][1], errors)
    with transaction.atomic():
        consent = active_consent(user.organisation_id, enterprise)
        if consent is None:
            raise ConsentRequired
        outcome = Outcome.objects.create(enterprise=enterprise, bank_id=user.organisation_id, consent=consent,
                                         decision=decision, amount=value, reason=(reason or "").strip()[:200],
                                         model_version=str(cd.load_rules()["model_version"]))
        summary = (f"{consent.bank.name}报送授信结果：已授信 {value:.2f} 元" if value is not None
                   else f"{consent.bank.name}报送授信结果：未授信（{outcome.reason}）")
        audit.record(user, "credit.outcome_reported", outcome, summary, organisation=enterprise.organisation)
    return outcome
