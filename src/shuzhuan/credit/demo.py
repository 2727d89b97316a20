"""Demo public-data feeds: 18 departments, three years, for the demo registry's firms, correlated with
the registry's yearly figures and with a planted default outcome (人民银行 loan_status.overdue_90 in the
last year), which the scorecard is trained to predict."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzhuan.credit import domain as cd
from shuzhuan.credit.models import PublicRecord

BATCH = "DEMO-2024"
YEARS = (2022, 2023, 2024)
LIMIT = 20000


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text + "\n")


def present() -> bool:
    return PublicRecord.objects.filter(batch=BATCH).exists()


def _firms() -> list[tuple[int, Decimal, int]]:
    from shuzhuan.registry import demo as registry_demo
    from shuzhuan.registry.models import Enterprise

    rows = (Enterprise.objects.filter(organisation__in=registry_demo.demo_organisations())
            .order_by("pk").values_list("pk", "tax", "employees")[:LIMIT])
    return [(pk, Decimal(tax or 0), int(employees or 0)) for pk, tax, employees in rows]


def firm_records(pk: int, tax: Decimal, employees: int, rng: random.Random) -> list[tuple[str, str, dict]]:
    """(feed, period, values) for one firm. A latent risk drives arrears, drops, judgments and the default."""
    risk = rng.gauss(0, 1)
    base_tax = max(float(tax), 20000.0) * math.exp(rng.gauss(0, 0.2))
    head = max(employees, 5)
    kwh = head * rng.uniform(3000, 9000)
    out: list[tuple[str, str, dict]] = []
    for i, year in enumerate(YEARS):
        trend = 1 + 0.08 * (1 - risk) * rng.uniform(0.3, 1.2) if i else 1.0
        base_tax *= trend * math.exp(rng.gauss(0, 0.08))
        head = max(1, round(head * (trend if risk < 1.2 or i < 2 else rng.uniform(0.55, 0.85))))
        kwh *= trend * math.exp(rng.gauss(0, 0.1))
        p = str(year)
        arrears = base_tax * rng.uniform(0.05, 0.3) if rng.random() < 0.04 + 0.12 * max(risk, 0) else 0.0
        grade = "A" if risk < -0.8 else "B" if risk < 0.6 else "M" if rng.random() < 0.2 else "C" if risk < 1.6 else "D"
        out += [
            ("tax", p, {"tax_paid": f"{base_tax:.2f}", "arrears": f"{arrears:.2f}", "grade": grade}),
            ("social_insurance", p, {"headcount": head}),
            ("housing_fund", p, {"contributors": max(0, round(head * rng.uniform(0.3, 0.9))),
                                 "arrears": rng.random() < 0.03 + 0.08 * max(risk, 0)}),
            ("electricity", p, {"kwh": f"{kwh:.2f}"}),
            ("water", p, {"tonnes": f"{kwh / rng.uniform(20, 60):.2f}"}),
            ("gas", p, {"cubic_metres": f"{kwh / rng.uniform(10, 40):.2f}"}),
            ("customs", p, {"exports": f"{base_tax * rng.uniform(0, 8):.2f}", "imports": f"{base_tax * rng.uniform(0, 3):.2f}"}),
            ("registration", p, {"abnormal_operation": rng.random() < 0.01 + 0.04 * max(risk, 0)}),
            ("ip", p, {"patents": max(0, int(rng.gauss(2 - risk, 2)))}),
            ("judgments", p, {"judgments": int(rng.random() < 0.05 + 0.1 * max(risk, 0)),
                              "enforcement": int(rng.random() < 0.02 + 0.08 * max(risk, 0))}),
            ("penalties", p, {"penalties": int(rng.random() < 0.05)}),
            ("safety", p, {"incidents": int(rng.random() < 0.01)}),
            ("dishonesty", p, {"listed": rng.random() < 0.005 + 0.03 * max(risk - 1, 0)}),
            ("real_estate", p, {"mortgaged": rng.random() < 0.4}),
            ("rnd", p, {"high_tech": risk < 0 and rng.random() < 0.3, "rnd_spend": f"{base_tax * rng.uniform(0, 1.5):.2f}"}),
            ("statistics", p, {"above_threshold": head >= 50}),
            ("honours", p, {"honours": int(rng.random() < 0.1)}),
        ]
    default = rng.random() < 1 / (1 + math.exp(-(1.6 * risk - 3.0)))  # about 7 % default
    out.append(("loan_status", str(YEARS[-1]), {"overdue_90": default}))
    return out


def generate_credit(seed: int = 2024, stdout: Any = None) -> dict[str, int]:
    if present():
        _say(stdout, "  公共数据示范数据已存在，跳过")
        return {}
    feeds = cd.load_feeds()
    rng = random.Random(f"credit-{seed}")
    now = timezone.now()
    firms = _firms()
    rows = []
    for pk, tax, employees in firms:
        for feed, period, values in firm_records(pk, tax, employees, rng):
            rows.append(PublicRecord(enterprise_id=pk, feed=feed, period=period, values=values,
                                     department=feeds[feed]["department"], batch=BATCH, received_at=now))
    with transaction.atomic():
        PublicRecord.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    _say(stdout, f"  公共数据：{len(firms)} 家企业，{len({f['department'] for f in feeds.values()})} 个部门，{len(rows)} 条记录")
    return {"records": len(rows), "firms": len(firms)}


def reset_credit() -> int:
    return PublicRecord.objects.filter(batch=BATCH).delete()[0]
