"""/api/v1/policy: evaluate a policy for given facts, or for an enterprise's records within scope."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import ConfigDict, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from shuzhuan.core.access import api_access
from shuzhuan.core.api_errors import ApiError
from shuzhuan.policy import facts, library
from shuzhuan.policy.domain.engine import evaluate_policy
from shuzhuan.policy.domain.values import FactInputError, parse_facts

router = Router(tags=["政策"])
INVALID = {"code": "invalid", "message": "请求参数有误"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(value: object) -> dt.date:
    if isinstance(value, str) and _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date", _("日期应为 YYYY-MM-DD，如 2025-06-01"))


DateIn = Annotated[dt.date, PlainValidator(_date), WithJsonSchema({"type": "string", "format": "date"})]


class EvaluateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    policy: str = Field(description="政策代码，如 zs-retrofit")
    date: DateIn = Field(description="按哪一天的政策版本计算（YYYY-MM-DD）")
    facts: dict[str, Any] | None = Field(None, description='事实取值：金额写成字符串（如 "1200000.00"），整数、true/false')
    subject: str | None = Field(None, description="企业统一社会信用代码：事实从记录读取（仅限有权查看的企业）；"
                                                  "记录中没有的申报类事实可在 facts 中补充")


class EvaluateOut(Schema):
    policy: str
    version: str = Field(description="所用政策版本（生效日期）；日期不在有效期内为空")
    eligible: bool
    amount: str = Field(description="金额（元，两位小数）；不符合条件为 0.00")
    explanation: list[str]
    reasons: list[str] = Field(description="不符合条件或无法判定的原因")
    missing: list[str] = Field(description="按记录无法判定时缺少的事实（可转为快申快享）")


def _invalid(errors: list[dict[str, str]]) -> ApiError:
    return ApiError(422, INVALID["code"], INVALID["message"], errors)


@router.post("/evaluate", response=EvaluateOut, summary="政策测算：是否符合条件、金额多少，逐条说明")
@api_access(public=True)
def evaluate(request: HttpRequest, payload: EvaluateIn) -> dict[str, Any]:
    try:
        policy = library.load(payload.policy)
    except library.UnknownPolicy:
        raise _invalid([{"field": "policy", "message": _("未知的政策 %(code)r；可用：%(known)s") % {"code": payload.policy, "known": "、".join(library.codes())}}]) from None
    version = policy.version_on(payload.date)
    catalog = facts.catalog()
    needed = version.facts if version else ()
    given = payload.facts or {}
    unknown = sorted(set(given) - set(needed)) if version else []
    if unknown:
        raise _invalid([{"field": f"facts.{k}", "message": _("此政策版本不使用该事实")} for k in unknown])
    if payload.subject is not None:
        values = _from_records(request, policy, payload.subject.strip().upper(), needed, given, catalog)
    elif payload.facts is None:
        raise _invalid([{"field": "facts", "message": _("请提供 facts，或提供 subject 从记录读取")}])
    else:
        try:
            values = parse_facts(given, needed, catalog)
        except FactInputError as exc:
            raise _invalid([e.as_dict() for e in exc.errors]) from None
    outcome = evaluate_policy(policy, payload.date, values, catalog)
    return {"policy": policy.code, "version": outcome.version, "eligible": outcome.eligible,
            "amount": f"{outcome.amount:.2f}", "explanation": list(outcome.explanation),
            "reasons": list(outcome.reasons), "missing": list(outcome.missing)}


def _from_records(request: HttpRequest, policy, uscc: str, needed, given, catalog) -> dict[str, Any]:
    from shuzhuan.registry.models import Enterprise

    if policy.subject != "enterprise":
        raise _invalid([{"field": "subject", "message": _("该政策的对象是%(kind)s，不能按企业记录取数") % {"kind": policy.subject_label}}])
    if not Enterprise.objects.visible_to(request.user).filter(organisation__uscc=uscc).exists():
        raise Http404
    values = facts.load_single(uscc, needed)
    supplement = {k: v for k, v in given.items() if values.get(k) is None}
    if supplement:
        try:
            values.update(parse_facts(supplement, list(supplement), catalog))
        except FactInputError as exc:
            raise _invalid([e.as_dict() for e in exc.errors]) from None
    return values


class FactOut(Schema):
    key: str
    label: str
    type: str = Field(description="money（元，字符串两位小数）/ int / bool / str / decimal")


class VersionOut(Schema):
    effective_from: dt.date
    effective_until: dt.date | None = Field(description="不含该日；空为长期")
    facts: list[FactOut] = Field(description="测算所需的事实")


class PolicyOut(Schema):
    code: str
    title: str
    summary: str
    subject: str
    source: str
    versions: list[VersionOut]


@router.get("/policies", response=list[PolicyOut], summary="政策库：全部政策、版本与所需事实")
@api_access(public=True)
def list_policies(request: HttpRequest) -> list[dict[str, Any]]:
    catalog = facts.catalog()
    from shuzhuan.policy.domain.model import base_name

    return [{
        "code": p.code, "title": p.title, "summary": p.summary, "subject": p.subject, "source": p.source.words(),
        "versions": [{"effective_from": v.effective_from, "effective_until": v.effective_until,
                      "facts": [{"key": k, "label": catalog[base_name(k)].label, "type": catalog[base_name(k)].type}
                                for k in v.facts]} for v in p.versions],
    } for p in library.all_policies()]
