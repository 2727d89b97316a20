"""/api/v1/programs: subsidy quotes under a programme's rules (data files), explained step by step.

Field names in errors follow the API's one convention: dot-separated, 0-based list positions
(`items.0.category`, `items.2.amount`), as ninja's own validation errors are named. (No `from __future__ import annotations` here: ninja
resolves string annotations in the globals of the outermost function, which a decorator may change.)
"""

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from shuzhuan.core.access import api_access
from shuzhuan.core.api_errors import ApiError
from shuzhuan.core.domain import money_json
from shuzhuan.core.money import MONEY_PATTERN
from shuzhuan.programs import programmes
from shuzhuan.programs.domain import CostItem, MoneyError, QuoteInputError, parse_money, quote
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.domain.model import LEVEL_NAMES, LEVEL_RANGE, MAX_LEVEL

router = Router(tags=["改造项目与奖补"])
INVALID = {"code": "invalid", "message": "请求参数有误"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _money(value: object) -> Decimal:
    try:
        return parse_money(value)
    except MoneyError as exc:
        raise PydanticCustomError("money", str(exc)) from exc


def _level(value: object) -> int:
    """Integers only: `true`, `2.0` and `"2"` are refused rather than guessed at."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("level", LEVEL_RANGE)
    return value


def _date(value: object) -> dt.date:
    if isinstance(value, str) and _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date", _("日期应为 YYYY-MM-DD，如 2025-06-01"))


MoneyIn = Annotated[Decimal, PlainValidator(_money), WithJsonSchema({
    "anyOf": [{"type": "string", "pattern": MONEY_PATTERN}, {"type": "integer", "minimum": 0}],
    "description": '金额（元）：字符串，最多两位小数，如 "1200000.00"；或整数。不接受 JSON 小数、科学计数法与负数。',
})]
LevelIn = Annotated[int, PlainValidator(_level), WithJsonSchema({
    "type": "integer", "minimum": 0, "maximum": MAX_LEVEL, "description": f"改造后等级 0–{MAX_LEVEL}（0 = {LEVEL_NAMES[0]}）",
})]
DateIn = Annotated[dt.date, PlainValidator(_date), WithJsonSchema({"type": "string", "format": "date"})]


class ItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(description="费用类别代码，如 software、cloud、data_hardware")
    amount: MoneyIn


class QuoteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    programme: str = Field(description="奖补计划代码，如 demo-pilot")
    level: LevelIn
    items: list[ItemIn] = Field(description="投资明细（按费用类别）")
    on: DateIn | None = Field(None, description="按哪一天的规则测算（默认今天）；有效期为半开区间 [起, 止)")


class QuoteOut(Schema):
    programme: str
    version: str = Field(description="所用规则版本（生效日期）")
    amount: str = Field(description="补助金额（元，两位小数）")
    by_source: dict[str, str] = Field(description="按资金来源分担（元），各部分之和恰等于补助金额")
    explanation: list[str]


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, INVALID["code"], gettext(INVALID["message"]), [{"field": field, "message": message}])


@router.post("/subsidy-quote", response=QuoteOut, summary="奖补测算：按计划规则计算补助并逐步说明")
@api_access()
def subsidy_quote(request: HttpRequest, payload: QuoteIn) -> dict[str, Any]:
    """Eligible investment (excluded categories removed) × share, rounded down to the cent, capped by
    the level's cap; split across funding sources with the remainder cents to the first sources."""
    on = payload.on or timezone.localdate()
    try:
        programme = programmes.load(payload.programme)
    except programmes.UnknownProgramme:
        raise _invalid("programme", gettext("未知的奖补计划 %(code)r；可用：%(known)s") % {"code": payload.programme, "known": "、".join(programmes.available())}) from None
    version = programme.version_on(on)
    if version is None:
        raise _invalid("on", gettext("%(day)s 不在「%(title)s」任何版本的有效期内（%(periods)s）") % {
            "day": on.isoformat(), "title": programme.title, "periods": programme.periods})
    try:
        result = quote(version, payload.level, [CostItem(i.category, i.amount) for i in payload.items])
    except QuoteInputError as exc:
        raise ApiError(422, INVALID["code"], gettext(INVALID["message"]), [e.as_dict() for e in exc.errors]) from exc
    return {
        "programme": programme.code,
        "version": result.version,
        "amount": money_json(result.amount),
        "by_source": {source: money_json(amount) for source, amount in result.by_source.items()},
        "explanation": list(result.explanation),
    }


# --- transformation projects (改造项目): read and move them through the same guarded service ----------

MAX_LIMIT = 500
MAX_OFFSET = 2_147_483_647  # far beyond any list, and within every database's integer range
PROJECT_ROLES = wf.PROJECT_ROLES


class ProjectOut(Schema):
    id: int
    title: str
    programme: str
    enterprise: str
    uscc: str
    town: str
    provider: str | None
    state: str = Field(description="状态代码，如 draft、contract_filed、city_approved、paid")
    state_label: str
    baseline_level: int | None
    level_achieved: int | None = Field(description="改造后现场评定等级（0–4）")
    post_assessment: int | None = Field(description="改造后现场评定的编号")
    subsidy_amount: str | None = Field(description="补助金额（元，两位小数）；市级审定后才有")
    by_source: dict[str, str]
    explanation: list[str]
    batch: str | None
    finish_due: dt.date | None
    acceptance_due: dt.date | None


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(description="操作：file_contract、start、complete、apply_acceptance、confirm_post_assessment、"
                                    "town_review、city_approve、return、resubmit、reject、withdraw、pay …")
    reason: str = Field("", max_length=2000, description="原因（退回、不予通过、撤回时必填）")


def _project_out(project: Any) -> dict[str, Any]:
    return {
        "id": project.pk, "title": project.title, "programme": project.programme.code,
        "enterprise": project.enterprise.organisation.name, "uscc": project.enterprise.organisation.uscc,
        "town": project.enterprise.town.short_name, "provider": project.provider.name if project.provider else None,
        "state": project.state, "state_label": project.state_label, "baseline_level": project.baseline_level,
        "level_achieved": project.level_achieved, "post_assessment": project.post_assessment_id,
        "subsidy_amount": money_json(project.subsidy_amount),
        "by_source": dict(project.subsidy_by_source), "explanation": list(project.subsidy_explanation),
        "batch": project.batch.label if project.batch else None,
        "finish_due": project.finish_due, "acceptance_due": project.acceptance_due,
    }


def _projects(request: HttpRequest):
    from shuzhuan.programs.models import Project

    return Project.objects.visible_to(request.user).select_related(
        "programme", "enterprise__organisation", "enterprise__town", "provider", "batch")


@router.get("/projects", response=list[ProjectOut], summary="改造项目列表（按权限范围）")
@api_access(*PROJECT_ROLES)
def list_projects(request: HttpRequest, state: str = "",
                  limit: int = Query(100, ge=1, le=MAX_LIMIT, description=f"每页条数 1–{MAX_LIMIT}"),
                  offset: int = Query(0, ge=0, le=MAX_OFFSET, description="跳过的条数")) -> list[dict[str, Any]]:
    from shuzhuan.programs.domain import workflow

    if state and state not in workflow.STATES:
        raise _invalid("state", gettext("未知的状态 %(state)r；可用：%(known)s") % {"state": state, "known": "、".join(workflow.STATES)})
    queryset = _projects(request).order_by("pk")
    if state:
        queryset = queryset.filter(state=state)
    return [_project_out(p) for p in queryset[offset:offset + limit]]


@router.get("/projects/{project_id}", response=ProjectOut, summary="改造项目详情")
@api_access(*PROJECT_ROLES)
def get_project(request: HttpRequest, project_id: int) -> dict[str, Any]:
    from django.shortcuts import get_object_or_404

    return _project_out(get_object_or_404(_projects(request), pk=project_id))


@router.post("/projects/{project_id}/transition", response=ProjectOut,
             summary="办理改造项目的一个环节（与页面同一套校验；被拒绝时 409 并说明原因）")
@api_access(*PROJECT_ROLES)
def transition_project(request: HttpRequest, project_id: int, payload: TransitionIn) -> dict[str, Any]:
    from django.shortcuts import get_object_or_404

    from shuzhuan.programs import services
    from shuzhuan.programs.domain import workflow

    project = get_object_or_404(_projects(request), pk=project_id)
    if payload.action not in workflow.TRANSITIONS:
        raise _invalid("action", gettext("未知的操作 %(action)r；可用：%(known)s") % {"action": payload.action, "known": "、".join(workflow.TRANSITIONS)})
    try:
        services.transition(request.user, project, payload.action, payload.reason)
    except services.ServiceError as exc:
        raise ApiError(409, "refused", str(exc), [{"field": "action", "message": str(exc)}]) from exc
    return _project_out(get_object_or_404(_projects(request), pk=project_id))
