"""Benchmark `statistics`: server time of the assessment statistics page and its heatmap at scale.

It measures in-process with Django's test Client (URL routing, the aggregates, the tables, the
template; no network) as a city officer — the whole city, the slowest scope — for the page as it
opens, with the heatmap by sub-industry, filtered to one town, and filtered to above-scale firms,
plus the XLSX export. Best of SHUZHUAN_BENCH_REPEAT runs each, with the query count.

The database is the one the runner set up (DATABASE_URL, else a temporary SQLite file). When it
holds no demo city, one of SHUZHUAN_BENCH_STATS_ENTERPRISES (20,000) enterprises is built first;
an existing one is measured as it is, whatever its size — that is how the 1M figure is taken:

    createdb -h 127.0.0.1 sz_stats
    DATABASE_URL=postgres://root@127.0.0.1:5432/sz_stats .venv/bin/shuzhuan migrate
    DATABASE_URL=… .venv/bin/shuzhuan demo-data --enterprises 1000000
    DATABASE_URL=… make bench ONLY=statistics
"""

from __future__ import annotations

import os
import time
from typing import Any

NAME = "statistics"
ENTERPRISES = int(os.environ.get("SHUZHUAN_BENCH_STATS_ENTERPRISES", "20000"))
REPEAT = int(os.environ.get("SHUZHUAN_BENCH_REPEAT", "3"))
BUDGET_MS = 1000  # the target: under a second of server time at 1M enterprises


def _officer():
    from shuzhuan.core.models import Role, User

    user, _created = User.objects.get_or_create(username="bench-statistics", defaults={"role": Role.CITY_OFFICER})
    return user


def run() -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from shuzhuan.assessment.models import Assessment
    from shuzhuan.core.models import Town
    from shuzhuan.registry.models import Enterprise

    if not Enterprise.objects.exists():
        call_command("demo-data", enterprises=ENTERPRISES, verbosity=0)
    if connection.vendor == "postgresql":  # fresh statistics for the planner, as autovacuum would have them
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_enterprise; ANALYZE assessment_assessment")
    user = _officer()
    client = Client()
    client.force_login(user)
    url = reverse("assessment:stats")
    town = Town.objects.order_by("pk").values_list("short_name", flat=True).first()
    variants = {
        "page": {}, "heat_by_sub": {"heat": "sub"}, "town": {"town": town}, "above_scale": {"above_scale": "1"},
    }
    timings: dict[str, Any] = {}
    worst = 0.0
    for name, params in [*variants.items(), ("export", None)]:
        best, queries = float("inf"), 0
        for _ in range(REPEAT):
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                response = client.get(reverse("assessment:stats_export") if params is None else url, params or {})
                seconds = time.perf_counter() - t0
            assert response.status_code == 200, (name, response.status_code)
            best, queries = min(best, seconds), len(captured.captured_queries)
        timings[name] = {"ms": round(best * 1000, 1), "queries": queries}
        if params is not None:
            worst = max(worst, best)
    return {
        "database": connection.vendor,
        "enterprises": Enterprise.objects.count(),
        "official_results": Assessment.objects.filter(is_official=True).count(),
        **timings,
        "worst_page_ms": round(worst * 1000, 1), "budget_ms": BUDGET_MS, "within_budget": worst * 1000 < BUDGET_MS,
    }
