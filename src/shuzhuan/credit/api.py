"""/api/v1/finance/consents, /portraits/{uscc}, /access-log: consent-gated credit results (DESIGN 14).
(No `from __future__ import annotations`: ninja resolves annotations.)"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from shuzhuan.core.access import OFFICERS, api_access
from shuzhuan.core.api_errors import ApiError
from shuzhuan.core.models import Role
from shuzhuan.credit import services
from shuzhuan.credit.models import AccessLog, Consent
from shuzhuan.registry.models import Enterprise

router = Router(tags=["公共数据赋能"])


class ConsentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    bank: str = Field(description="被授权银行的统一社会信用代码")
    purpose: str = Field(description="credit_application / post_loan_monitoring")
    expires: str | None = Field(None, description="授权到期日 YYYY-MM-DD（必填，晚于今天，不超过最长期限）")


class HistoryOut(Schema):
    status: str
    at: str
    by: str
    note: str


class ConsentOut(Schema):
    id: str
    principal_uscc: str = Field(description="授权企业（数据主体）")
    principal: str
    controller_uscc: str = Field(description="被授权银行")
    controller: str
    purpose: str
    data_categories: list[str]
    starts: dt.datetime
    expires: dt.date
    method: str
    status: str = Field(description="active / revoked / expired")
    history: list[HistoryOut]


def _consent(c: Consent) -> dict[str, Any]:
    status = "expired" if c.status == "active" and not c.is_active else c.status
    return {"id": str(c.pk), "principal_uscc": c.enterprise.organisation.uscc, "principal": c.enterprise.organisation.name,
            "controller_uscc": c.bank.uscc, "controller": c.bank.name, "purpose": c.purpose,
            "data_categories": c.data_categories, "starts": c.starts, "expires": c.expires, "method": c.method,
            "status": status, "history": c.history}


def _invalid(exc: services.CreditError) -> ApiError:
    return ApiError(422, "invalid", str(exc), [{"field": f or "body", "message": m} for f, m in exc.errors]
                    or [{"field": "body", "message": str(exc)}])


def _consents(request):
    return Consent.objects.visible_to(request.user).select_related("enterprise__organisation", "bank")


@router.get("/consents", response=list[ConsentOut], summary="本企业的数据授权")
@api_access(Role.ENTERPRISE)
def consents(request: HttpRequest) -> list[dict[str, Any]]:
    return [_consent(c) for c in _consents(request).order_by("-starts")]


@router.post("/consents", response={201: ConsentOut}, summary="授权一家银行查看信用画像（结果）")
@api_access(Role.ENTERPRISE)
def grant(request: HttpRequest, payload: ConsentIn):
    expires = None
    if payload.expires:
        try:
            expires = dt.date.fromisoformat(payload.expires)
        except ValueError as exc:
            raise ApiError(422, "invalid", _("日期格式应为 YYYY-MM-DD"),
                           [{"field": "expires", "message": _("日期格式应为 YYYY-MM-DD")}]) from exc
    try:
        consent = services.grant(request.user, payload.bank, payload.purpose, expires, method="api")
    except services.CreditError as exc:
        raise _invalid(exc) from exc
    return 201, _consent(_consents(request).get(pk=consent.pk))


@router.delete("/consents/{consent_id}", response=ConsentOut, summary="撤销数据授权（随时可撤）")
@api_access(Role.ENTERPRISE)
def revoke(request: HttpRequest, consent_id: str) -> dict[str, Any]:
    consent = None
    try:
        consent = _consents(request).filter(pk=consent_id).first()
    except Exception:  # noqa: BLE001 - not a UUID: the same 404 as an unknown id
        consent = None
    if consent is None:
        raise ApiError(404, "not_found", _("未找到该授权"))
    services.revoke(request.user, consent)
    return _consent(_consents(request).get(pk=consent.pk))


class PortraitOut(Schema):
    score: int = Field(description="信用评分（300–900）")
    band: str = Field(description="等级 A / B / C / D")
    grantable_credit: str = Field(description="可授信金额（元，两位小数）")
    warnings: list[str]
    model_version: str


def _enterprise_for(request, uscc: str) -> Enterprise:
    """A bank: any firm by USCC, but nothing is computed before the consent check. Others: their scope."""
    qs = Enterprise.objects if request.user.role == Role.BANK else Enterprise.objects.visible_to(request.user)
    enterprise = qs.select_related("organisation").filter(organisation__uscc=uscc.strip().upper()).first()
    if enterprise is None:
        if request.user.role == Role.BANK:
            raise _consent_required()
        raise ApiError(404, "not_found", _("未找到该企业"))
    return enterprise


def _consent_required() -> ApiError:
    return ApiError(403, "consent_required", _("该企业未授权本行查看其信用画像，或授权已撤销、已到期"))


@router.get("/portraits/{uscc}", response=PortraitOut, summary="企业信用画像（结果，不含原始数据）")
@api_access(*OFFICERS, Role.ENTERPRISE, Role.BANK)
def portrait(request: HttpRequest, uscc: str) -> dict[str, Any]:
    enterprise = _enterprise_for(request, uscc)
    try:
        return services.read_portrait(request.user, enterprise)
    except services.ConsentRequired as exc:
        raise _consent_required() from exc


class OutcomeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    decision: str = Field(description="granted / declined")
    amount: str | None = Field(None, description="授信金额（元），granted 时必填")
    reason: str = Field("", description="未授信原因，declined 时必填")


class OutcomeOut(Schema):
    id: int
    decision: str
    amount: str | None
    reason: str
    model_version: str


@router.post("/portraits/{uscc}/outcome", response={201: OutcomeOut}, summary="报送授信结果")
@api_access(Role.BANK)
def outcome(request: HttpRequest, uscc: str, payload: OutcomeIn):
    enterprise = _enterprise_for(request, uscc)
    try:
        o = services.report_outcome(request.user, enterprise, payload.decision, payload.amount, payload.reason)
    except services.ConsentRequired as exc:
        raise _consent_required() from exc
    except services.CreditError as exc:
        raise _invalid(exc) from exc
    return 201, {"id": o.pk, "decision": o.decision, "amount": None if o.amount is None else f"{o.amount:.2f}",
                 "reason": o.reason, "model_version": o.model_version}


class AccessOut(Schema):
    at: dt.datetime
    bank_uscc: str
    bank: str
    purpose: str
    fields: list[str]
    consent_id: str


@router.get("/access-log", response=list[AccessOut], summary="谁查看了我的数据")
@api_access(Role.ENTERPRISE)
def access_log(request: HttpRequest) -> list[dict[str, Any]]:
    rows = AccessLog.objects.visible_to(request.user).select_related("bank").order_by("-at", "-id")[:1000]
    return [{"at": r.at, "bank_uscc": r.bank.uscc, "bank": r.bank.name, "purpose": r.purpose, "fields": r.fields,
             "consent_id": str(r.consent_id)} for r in rows]
