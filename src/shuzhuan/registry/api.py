"""GET /api/v1/enterprises and /api/v1/enterprises/{uscc}: the registry as JSON, scoped like the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from shuzhuan.core.access import api_access
from shuzhuan.core.api_errors import ApiError
from shuzhuan.core.domain import money_json
from shuzhuan.core.models import Organisation, Town
from shuzhuan.registry.filters import EnterpriseFilterForm
from shuzhuan.registry.models import Enterprise, EnterpriseYear, IndustryClass

router = Router(tags=["企业库"])
MAX_PAGE_SIZE = 500


class TownOut(Schema):
    code: str
    name: str


class YearOut(Schema):
    year: int
    employees: int | None
    revenue: str | None
    tax: str | None


class EnterpriseOut(Schema):
    uscc: str
    name: str
    legal_representative: str
    town: TownOut
    address: str
    industry_code: str | None
    industry_name: str | None
    founded_on: dt.date | None
    latest_year: int | None
    employees: int | None
    revenue: str | None
    tax: str | None
    size_class: str | None
    above_scale: bool
    zjtx_tier: str | None
    high_tech: bool
    chain_leader: bool
    cultivation_directory: bool
    on_cloud: bool


class EnterpriseDetailOut(EnterpriseOut):
    contact_name: str
    contact_phone: str
    contact_email: str
    years: list[YearOut]


class EnterprisePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[EnterpriseOut]


_money = money_json


def _out(ent: Enterprise) -> dict:
    return {
        "uscc": ent.organisation.uscc, "name": ent.organisation.name,
        "legal_representative": ent.legal_representative,
        "town": {"code": ent.town.code, "name": ent.town.short_name}, "address": ent.address,
        "industry_code": ent.industry_id, "industry_name": ent.industry.name if ent.industry_id else None,
        "founded_on": ent.founded_on, "latest_year": ent.latest_year, "employees": ent.employees,
        "revenue": _money(ent.revenue), "tax": _money(ent.tax), "size_class": ent.size_class or None,
        "above_scale": ent.above_scale, "zjtx_tier": ent.zjtx_tier or None, "high_tech": ent.high_tech,
        "chain_leader": ent.chain_leader, "cultivation_directory": ent.cultivation_directory, "on_cloud": ent.on_cloud,
    }


@router.get("", response=EnterprisePage, summary="企业列表（筛选、排序、分页）")
@api_access()
def list_enterprises(request, q: str = "", town: str = "", industry: str = "", size: str = "", above_scale: str = "",
                     tag: str = "", sort: str = "", page: int = 1, page_size: int = 50):
    """Filters as on the list page: `town` by short name (古镇), `industry` a GB/T 4754 code prefix
    (38, 387, 3872), `size` large/medium/small/micro, `above_scale` 1/0, `tag`, `sort` (e.g. -revenue)."""
    form = EnterpriseFilterForm({k: v for k, v in request.GET.items() if k not in ("page", "page_size")}, user=request.user)
    if not form.is_valid():
        raise ApiError(422, "invalid", _("筛选条件有误"),
                       [{"field": f, "message": "; ".join(str(m) for m in msgs)} for f, msgs in form.errors.items()])
    if page < 1:
        raise ApiError(422, "invalid", _("请求参数有误"), [{"field": "page", "message": _("页码从 1 开始")}])
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ApiError(422, "invalid", _("请求参数有误"), [{"field": "page_size", "message": _("每页 1–%(max)s 条") % {"max": MAX_PAGE_SIZE}}])
    queryset = form.apply(Enterprise.objects.visible_to(request.user)).select_related("organisation", "town", "industry")
    count, start = queryset.count(), (page - 1) * page_size
    results = [_out(e) for e in queryset[start:start + page_size]] if start < count else []
    return {"count": count, "page": page, "page_size": page_size, "results": results}


def _years(enterprise_id: int) -> list[tuple]:
    """An enterprise's years, newest first: (year, employees, revenue, tax). Plain SQL on one index (the
    enterprise is already found in the caller's scope); the ORM's query compile was most of its cost."""
    table = connection.ops.quote_name(EnterpriseYear._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT year, employees, revenue, tax FROM {table} WHERE enterprise_id = %s ORDER BY year DESC",
                       [enterprise_id])
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":  # numeric comes back as Decimal
        return rows
    # SQLite hands decimals back as floats or ints: quantized to the field's places, as the ORM does
    cent = Decimal(1).scaleb(-EnterpriseYear._meta.get_field("revenue").decimal_places)
    return [(y, e, *(None if v is None else Decimal(str(v)).quantize(cent) for v in (r, t))) for y, e, r, t in rows]
    return rows


@router.get("/{uscc}", response=EnterpriseDetailOut, summary="企业档案")
@api_access()
def get_enterprise(request, uscc: str):
    ent = _scoped_detail(request.user, uscc.strip().upper())
    if ent is None:
        raise Http404
    data = _out(ent)
    data.update(contact_name=ent.contact_name, contact_phone=ent.contact_phone, contact_email=ent.contact_email,
                years=[{"year": year, "employees": employees, "revenue": _money(revenue), "tax": _money(tax)}
                       for year, employees, revenue, tax in _years(ent.pk)])
    return data


def _scoped_detail(user, uscc: str) -> Enterprise | None:
    """The enterprise with this USCC if the user may see it, its organisation, town and industry attached:
    one query. The scope is `visible_to`'s own (compiled as a narrow pk subquery); the row is read by
    plain SQL because compiling the select_related query was most of the detail's cost."""
    scope = Enterprise.objects.visible_to(user).filter(organisation__uscc=uscc).values("pk")
    scope_sql, params = scope.query.sql_with_params()
    q = connection.ops.quote_name
    tables = {m: q(m._meta.db_table) for m in (Enterprise, Organisation, Town, IndustryClass)}
    rows = list(Enterprise.objects.raw(
        f"SELECT e.*, o.uscc AS o_uscc, o.name AS o_name, t.code AS t_code, t.short_name AS t_short_name, "
        f"i.name AS i_name FROM {tables[Enterprise]} e "
        f"JOIN {tables[Organisation]} o ON o.id = e.organisation_id JOIN {tables[Town]} t ON t.id = e.town_id "
        f"LEFT JOIN {tables[IndustryClass]} i ON i.code = e.industry_id WHERE e.organisation_id IN ({scope_sql})",
        params,
    ))
    if len(rows) != 1:
        return None
    ent = rows[0]
    ent.organisation = Organisation(pk=ent.organisation_id, uscc=ent.o_uscc, name=ent.o_name)
    ent.town = Town(pk=ent.town_id, code=ent.t_code, short_name=ent.t_short_name)
    if ent.industry_id:
        ent.industry = IndustryClass(code=ent.industry_id, name=ent.i_name)
    return ent
