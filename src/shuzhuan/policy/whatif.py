"""What-if on the live registry: a parameter diff on a policy version, run against the baseline over
every enterprise's records (one batch frame), grouped by town, industry and size; saved as a `Reform`
(one transaction, audited)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from shuzhuan.core.audit import record
from shuzhuan.core.domain import format_yuan
from shuzhuan.core.models import is_city_wide
from shuzhuan.policy import facts, library
from shuzhuan.policy.domain.engine import amount_from_cents, snapshot_hash
from shuzhuan.policy.domain.model import PolicyVersion
from shuzhuan.policy.domain.reform import WhatIf, reformed, what_if
from shuzhuan.policy.domain.values import FactInputError, FieldError
from shuzhuan.policy.models import Reform

GROUPS = ("town", "industry", "size_class")
GROUP_LABELS = {"town": "镇街", "industry": "行业", "size_class": "企业规模"}


def base_version(code: str, label: str) -> PolicyVersion:
    try:
        policy = library.load(code)
    except library.UnknownPolicy:
        raise FactInputError([FieldError("policy", gettext("未知的政策 %(code)s") % {"code": repr(code)})]) from None
    version = next((v for v in policy.versions if v.label == label), None)
    if version is None:
        raise FactInputError([FieldError("version", gettext("「%(title)s」没有版本 %(label)s") % {"title": policy.title, "label": repr(label)})])
    if policy.subject != "enterprise":
        raise FactInputError([FieldError("policy", gettext("「%(title)s」的对象是%(subject)s，不能按企业测算") % {"title": policy.title, "subject": policy.subject_label})])
    return version


def simulate(code: str, label: str, on: dt.date, changes: Mapping[str, Any],
             conditions: Mapping[int, str] | None = None) -> tuple[WhatIf, str]:
    """(the result, the snapshot hash of the inputs read). `FactInputError` names the bad field."""
    base = base_version(code, label)
    reform = reformed(base, changes, facts.catalog(), conditions=conditions)
    keys = list(dict.fromkeys([*base.facts, *reform.facts, *GROUPS]))
    frame = facts.load_batch(keys)
    return what_if(base, reform, on, frame, GROUPS), snapshot_hash(frame)


def serialise(result: WhatIf) -> dict[str, Any]:
    """Money as strings with two decimals (JSON), groups as lists of rows."""
    groups = {}
    for group, table in result.by_group.items():
        groups[group] = [{"group": row[group] if row[group] is not None else "", "before": str(amount_from_cents(row["before"] or 0)),
                          "after": str(amount_from_cents(row["after"] or 0)), "gainers": int(row["gainers"]),
                          "losers": int(row["losers"])} for row in table.iter_rows(named=True)]
    return {"cost_before": str(result.cost_before), "cost_after": str(result.cost_after),
            "cost_change": str(result.cost_change), "beneficiaries_before": result.beneficiaries_before,
            "beneficiaries_after": result.beneficiaries_after, "gainers": result.gainers, "losers": result.losers,
            "groups": groups}


@transaction.atomic
def save(actor: Any, title: str, code: str, label: str, on: dt.date, changes: Mapping[str, Any],
         conditions: Mapping[int, str] | None = None) -> Reform:
    if not is_city_wide(actor):
        raise PermissionDenied
    title = str(title or "").strip()
    if not title:
        raise FactInputError([FieldError("title", gettext("请填写测算名称"))])
    result, snapshot = simulate(code, label, on, changes, conditions)
    data = serialise(result)
    reform = Reform.objects.create(
        title=title[:120], policy=code, base_version=label, on=on, changes={k: _json(v) for k, v in changes.items()},
        conditions={str(k): v for k, v in (conditions or {}).items()}, result=data, snapshot=snapshot,
        created_by=actor if getattr(actor, "pk", None) else None)
    record(actor, "policy.whatif", reform, f"保存政策测算「{reform.title}」：{code} 成本 {format_yuan(result.cost_before)} → "
                                           f"{format_yuan(result.cost_after)} 元",
           changes={"changes": reform.changes, "conditions": reform.conditions, "snapshot": snapshot})
    return reform


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value
