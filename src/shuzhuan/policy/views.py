"""The public policy library (政策库): every policy in plain words with its sources, versions,
parameters, rules and hand-computed test cases — read-only, one page."""

from __future__ import annotations

from typing import Any

from django.shortcuts import render

from shuzhuan.core.access import page_access
from shuzhuan.core.domain import format_yuan
from shuzhuan.policy import facts, library
from shuzhuan.policy.domain.engine import Words, show_param
from shuzhuan.policy.domain.model import Policy, base_name
from shuzhuan.policy.domain.parse import CAP_KINDS
from shuzhuan.policy.domain.values import show


def _version(version, catalog) -> dict[str, Any]:
    words = Words(version, catalog)
    return {
        "period": version.period, "note": version.note,
        "parameters": [{"label": p.label, "name": p.name, "value": show_param(p), "source": p.source}
                       for p in version.parameters.values()],
        "conditions": [{"label": c.label, "rule": words.expr(c.test), "unmet": c.unmet} for c in version.conditions],
        "amount": words.expr(version.amount),
        "caps": [{"label": cap.label, "kind": CAP_KINDS[cap.kind], "limit": words.expr(cap.limit),
                  "when": words.expr(cap.when) if cap.when else "",
                  "already": words.expr(cap.already) if cap.already else ""} for cap in version.caps],
        "difference": ({"label": version.difference.label, "subtract": words.expr(version.difference.subtract)}
                       if version.difference else None),
        "quota": ({"per_year": version.quota.per_year, "rank_by": words.expr(version.quota.rank_by),
                   "descending": version.quota.descending} if version.quota else None),
        "rounding": version.rounding.words(),
        "facts": [{"key": key, "label": words.fact_key(key), "type": catalog[base_name(key)].type}
                  for key in version.facts],
    }


def _policy(policy: Policy, catalog) -> dict[str, Any]:
    cases = []
    for case in policy.tests:
        cases.append({
            "name": case.name, "date": case.on,
            "facts": "；".join(f"{Words.fact_key_of(catalog, k)} {show(catalog.get(base_name(k)), v)}"
                              for k, v in case.facts.items()),
            "eligible": case.eligible, "amount": format_yuan(case.amount) if case.amount is not None else "",
        })
    return {"policy": policy, "versions": [_version(v, catalog) for v in policy.versions], "cases": cases}


@page_access(public=True)
def policy_library(request):
    catalog = facts.catalog()
    policies = [_policy(p, catalog) for p in library.all_policies()]
    return render(request, "policy/library.html", {"policies": policies})
