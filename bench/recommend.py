"""Recommendations for every enterprise of a city as a batch (polars) vs the single path per enterprise.

The city (SHUZHUAN_BENCH_ENTERPRISES, default 500,000 enterprises) is written with raw bulk inserts:
organisations and enterprises, an official assessment for 40 % of them (random scenario levels), open
needs for 5 %, and a pool of 100 providers with 370 published offerings (ORM: few rows). Both sides
read the same database: the batch path (`marketplace.recommend.recommend_all`) all of it at once; the
per-enterprise path (`services_match.rank_for(..., explain=False)`: the same code without the
explanations, DESIGN decision 9) one enterprise at a time, on SHUZHUAN_BENCH_LOOP_SAMPLE enterprises
(default 500, spread over the city), extrapolated. The sample's results are checked against the batch.
Peak memory: tracemalloc (the Python heap, not polars' native buffers).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from bench._util import measure

NAME = "recommend"
SEED = 2024


def _rows(model: Any, overrides: list[dict[str, Any]], fields: list[str]) -> list[tuple]:
    """Rows for a raw insert: the given values, every other column its default, prepared for the database."""
    concrete = {f.attname: f for f in model._meta.concrete_fields}
    defaults = {name: concrete[name].get_db_prep_save(concrete[name].get_default(), connection) for name in fields}
    plain = (int, str, dt.date, type(None))  # passed to the driver as they are
    out = []
    for values in overrides:
        row = []
        for name in fields:
            if name not in values:
                row.append(defaults[name])
                continue
            value = values[name]
            row.append(value if type(value) in plain else concrete[name].get_db_prep_save(value, connection))
        out.append(tuple(row))
    return out


def build_city(n: int, rng: random.Random) -> dict[str, int]:
    from shuzhuan.assessment.models import Assessment, Source, Status
    from shuzhuan.core.models import Organisation, OrganisationKind, Town
    from shuzhuan.marketplace.domain.classify import SCENARIO_CODES
    from shuzhuan.marketplace.models import Need, Offering, OfferingStatus, PoolStatus, ProviderProfile
    from shuzhuan.registry.demo import insert_rows
    from shuzhuan.registry.models import Enterprise, IndustryClass

    towns = list(Town.objects.values_list("pk", flat=True))
    classes = sorted(IndustryClass.objects.filter(level="class", code__gte="13", code__lt="44").values_list("code", flat=True))
    industries = rng.sample(classes, min(80, len(classes)))
    now = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    org_fields = ["id", "uscc", "name", "kind", "created_at"]
    ent_fields = [f.attname for f in Enterprise._meta.concrete_fields]
    ass_fields = [f.attname for f in Assessment._meta.concrete_fields if not f.primary_key]
    need_fields = [f.attname for f in Need._meta.concrete_fields if not f.primary_key]
    chunk = 50_000
    counts = {"assessments": 0, "needs": 0}
    with transaction.atomic():
        for start in range(1, n + 1, chunk):
            ids = range(start, min(n + 1, start + chunk))
            insert_rows(Organisation, org_fields, _rows(Organisation, [
                {"id": i, "uscc": f"91442000{i:010d}", "name": f"基准企业{i}", "kind": OrganisationKind.ENTERPRISE,
                 "created_at": now} for i in ids], org_fields))
            insert_rows(Enterprise, ent_fields, _rows(Enterprise, [
                {"organisation_id": i, "town_id": rng.choice(towns), "industry_id": rng.choice(industries),
                 "created_at": now, "updated_at": now} for i in ids], ent_fields))
            assessments, needs = [], []
            for i in ids:
                if rng.random() < 0.4:
                    levels = {c: rng.randint(0, 4) for c in SCENARIO_CODES}
                    assessments.append({
                        "enterprise_id": i, "source": rng.choice([Source.SELF, Source.ONSITE]), "status": Status.SUBMITTED,
                        "assessed_on": dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 500)),
                        "scenarios": levels, "level": rng.randint(0, 4), "score": Decimal(rng.randint(15, 90)),
                        "created_at": now, "updated_at": now})
                if rng.random() < 0.05:
                    needs.append({"enterprise_id": i, "text": "基准需求", "scenarios": rng.sample(SCENARIO_CODES, rng.randint(1, 3)),
                                  "budget": rng.choice([None, Decimal("50000.00"), Decimal("200000.00")]), "created_at": now})
            insert_rows(Assessment, ass_fields, _rows(Assessment, assessments, ass_fields))
            insert_rows(Need, need_fields, _rows(Need, needs, need_fields))
            counts["assessments"] += len(assessments)
            counts["needs"] += len(needs)
        for p in range(100):
            org = Organisation.objects.create(uscc=f"91442000P{p:09d}", name=f"基准服务商{p}", kind=OrganisationKind.PROVIDER)
            prof = ProviderProfile.objects.create(organisation=org, town_id=rng.choice(towns), pool_status=PoolStatus.IN_POOL,
                                                  stars=rng.choice([None, Decimal("3.5"), Decimal("4.5")]))
            Offering.objects.bulk_create([
                Offering(provider=prof, kind="product", name=f"基准产品{p}-{k}", summary="基准", status=OfferingStatus.PUBLISHED,
                         scenarios=rng.sample(SCENARIO_CODES, rng.randint(1, 4)),
                         industries=rng.choice([[], [rng.choice(industries)[:2]], [rng.choice(industries)[:3]]]),
                         price_min=Decimal(rng.choice([20000, 50000, 120000])), pilot_discount=rng.choice([None, Decimal("10")]),
                         min_level=rng.randint(0, 2), max_level=rng.randint(2, 4))
                for k in range(4 if p < 70 else 3)
            ])
    return counts


def run() -> dict:
    from shuzhuan.marketplace import recommend
    from shuzhuan.marketplace.models import Offering
    from shuzhuan.marketplace.services import match as svc
    from shuzhuan.registry.models import Enterprise

    n = int(os.environ.get("SHUZHUAN_BENCH_ENTERPRISES", "500000"))
    sample = min(n, int(os.environ.get("SHUZHUAN_BENCH_LOOP_SAMPLE", "500")))
    rng = random.Random(SEED)
    t0 = time.perf_counter()
    counts = build_city(n, rng)
    generate_s = time.perf_counter() - t0

    batch, batch_s, peak = measure(recommend.recommend_all)

    step = max(1, n // sample)
    ents = list(Enterprise.objects.filter(pk__in=range(1, n + 1, step)).order_by("pk")[:sample])
    t0 = time.perf_counter()
    single = {e.pk: svc.rank_for(e, explain=False)[2] for e in ents}
    loop_s = time.perf_counter() - t0

    got: dict[int, list] = {}
    for row in batch.filter(batch["enterprise_id"].is_in(list(single))).iter_rows(named=True):
        got.setdefault(row["enterprise_id"], []).append((row["offering_id"], row["total"]))
    mismatches = sum(got.get(pk, []) != [(s.offering_id, s.total) for s in ranked] for pk, ranked in single.items())
    batch_rate = n / batch_s
    loop_rate = len(ents) / loop_s
    return {
        "enterprises": n,
        "assessed": counts["assessments"],
        "with_needs": counts["needs"],
        "offerings": Offering.objects.public().count(),
        "generate_s": round(generate_s, 1),
        "batch_s": round(batch_s, 2),
        "batch_enterprises_per_s": round(batch_rate),
        "recommendations": batch.height,
        "loop_sample": len(ents),
        "loop_s": round(loop_s, 2),
        "loop_enterprises_per_s": round(loop_rate),
        "ratio": round(batch_rate / loop_rate, 1),
        "parity_mismatches_in_sample": mismatches,
        "batch_peak_python_heap_mb": round(peak / 2**20, 1),
    }
