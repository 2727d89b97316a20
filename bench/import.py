"""Benchmark `import`: our enterprise import (validation included) next to a raw bulk insert.

Both sides read the same generated CSV (fictional names, valid USCCs, real towns and C classes).
The raw side parses it with the csv module and inserts the rows in clean form into the same tables
(Organisation, Enterprise, EnterpriseYear): executemany on SQLite, COPY on PostgreSQL.
Timings run without tracing, best of SHUZHUAN_BENCH_REPEAT alternating runs, in wall-clock and in
CPU seconds (steadier when the machine is busy); peak memory is measured in separate traced runs, for ours at half
and at full size, to show it stays flat as the file doubles. `SHUZHUAN_BENCH_ROWS` shrinks it.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench._util import measure

NAME = "import"
ROWS = int(os.environ.get("SHUZHUAN_BENCH_ROWS", "100000"))
REPEAT = int(os.environ.get("SHUZHUAN_BENCH_REPEAT", "2"))  # best of N, the two sides alternating
SEED = 2024
HEADERS = ["统一社会信用代码", "企业名称", "法定代表人", "所属镇街", "地址", "行业代码", "成立日期",
           "从业人数", "营业收入", "纳税总额", "年度"]
WORDS = ["明辉", "永固", "华光", "新美", "恒达", "宏图", "金誉", "朗润", "卓越", "嘉禾", "盛世", "远航"]
TRADES = ["灯饰", "五金", "电器", "家具", "服装", "电子", "机械", "塑料", "包装", "模具"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"


def generate(path: Path, rows: int, towns: list[str], classes: list[str]) -> None:
    """A valid import file: one row per enterprise, year 2024."""
    from shuzhuan.registry.domain import make_uscc

    rng = random.Random(SEED)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADERS)
        for i in range(rows):
            town = rng.choice(towns)
            employees = rng.randint(3, 900)
            revenue = Decimal(rng.randint(50_000_000, 30_000_000_000)) / 100
            out.writerow([
                make_uscc("442000", f"MA{i:06d}"),
                f"{town}{rng.choice(WORDS)}{rng.choice(TRADES)}示范有限公司{i}",
                rng.choice(SURNAMES) + rng.choice("伟芳娜敏静强磊军洋勇"),
                town,
                f"{town}工业大道{rng.randint(1, 999)}号",
                rng.choice(classes),
                (dt.date(1995, 1, 1) + dt.timedelta(days=rng.randint(0, 10_000))).isoformat(),
                employees,
                f"{revenue:.2f}",
                f"{revenue * Decimal('0.03'):.2f}",
                2024,
            ])


def clear() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("core_auditentry", "registry_enterpriseyear", "registry_enterprise"):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("DELETE FROM core_organisation WHERE kind = 'enterprise'")


def ours(path: Path) -> int:
    from shuzhuan.registry.imports.service import import_file

    report = import_file(path)
    assert report.rows_rejected == 0 and report.created == report.rows_total, report.errors[:3]
    return report.rows_total


# --- the raw baseline ------------------------------------------------------------------------------
ORG_COLUMNS = ("id", "uscc", "name", "kind", "created_at")
ENT_COLUMNS = (
    "organisation_id", "legal_representative", "town_id", "address", "industry_id", "founded_on", "zjtx_tier",
    "high_tech", "chain_leader", "cultivation_directory", "on_cloud", "contact_name", "contact_phone",
    "contact_email", "latest_year", "employees", "revenue", "tax", "size_class", "above_scale", "created_at",
    "updated_at",
)
YEAR_COLUMNS = ("enterprise_id", "year", "employees", "revenue", "tax")


def clean_rows(path: Path) -> Iterator[tuple[tuple, tuple, tuple]]:
    """The CSV parsed by the csv module into (organisation, enterprise, year) tuples, typed."""
    from django.db import connection
    from django.utils import timezone

    from shuzhuan.core.models import Town

    town_ids = dict(Town.objects.values_list("short_name", "pk"))
    now: Any = timezone.now()
    if connection.vendor != "postgresql":  # COPY takes the datetime; executemany its SQLite text form
        now = connection.ops.adapt_datetimefield_value(now)
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for pk, (uscc, name, legal, town, address, industry, founded, employees, revenue, tax, year) in enumerate(
            reader, start=1
        ):
            staff, income, paid, when = int(employees), Decimal(revenue), Decimal(tax), int(year)
            yield (
                (pk, uscc, name, "enterprise", now),
                (pk, legal, town_ids[town], address, industry, dt.date.fromisoformat(founded), "", False, False,
                 False, False, "", "", "", when, staff, income, paid, "", False, now, now),
                (pk, when, staff, income, paid),
            )


def raw(path: Path) -> int:
    from django.db import connection, transaction

    insert = copy_rows if connection.vendor == "postgresql" else executemany_rows
    count = 0
    with transaction.atomic():
        batch: list[tuple[tuple, tuple, tuple]] = []
        for item in clean_rows(path):
            batch.append(item)
            if len(batch) >= 10_000:
                insert(batch)
                count += len(batch)
                batch = []
        insert(batch)
        count += len(batch)
    return count


def _tables() -> list[tuple[str, tuple[str, ...]]]:
    return [("core_organisation", ORG_COLUMNS), ("registry_enterprise", ENT_COLUMNS),
            ("registry_enterpriseyear", YEAR_COLUMNS)]


def executemany_rows(batch: list[tuple[tuple, tuple, tuple]]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for position, (table, columns) in enumerate(_tables()):
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", [item[position] for item in batch]
            )


def copy_rows(batch: list[tuple[tuple, tuple, tuple]]) -> None:
    from django.db import connection

    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        for position, (table, columns) in enumerate(_tables()):
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for item in batch:
                    copy.write_row(item[position])


# --- the run ---------------------------------------------------------------------------------------
def _timed(fn: Callable[[], int]) -> tuple[float, float]:
    """(rows per wall-clock second, rows per CPU second of this process)."""
    clear()
    start, cpu = time.perf_counter(), time.process_time()
    rows = fn()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    clear()
    return rows / seconds, rows / cpu_seconds


def _peak_mb(fn: Callable[[], int]) -> float:
    clear()
    _, _, peak = measure(fn)
    clear()
    return round(peak / 2**20, 1)


def run() -> dict:
    from django.conf import settings

    settings.DEBUG = False  # as in production: no query log growing with the file
    from shuzhuan.core.models import Town
    from shuzhuan.registry.imports.service import manufacturing_classes

    towns = list(Town.objects.values_list("short_name", flat=True))
    classes = sorted(manufacturing_classes())
    folder = Path(tempfile.mkdtemp(prefix="shuzhuan-bench-import-"))
    full, half = folder / "full.csv", folder / "half.csv"
    generate(full, ROWS, towns, classes)
    generate(half, ROWS // 2, towns, classes)
    ours_runs, raw_runs = [], []
    for _ in range(REPEAT):
        ours_runs.append(_timed(lambda: ours(full)))
        raw_runs.append(_timed(lambda: raw(full)))
    ours_per_s, ours_cpu = (max(run[i] for run in ours_runs) for i in (0, 1))
    raw_per_s, raw_cpu = (max(run[i] for run in raw_runs) for i in (0, 1))
    peak_half, peak_full = _peak_mb(lambda: ours(half)), _peak_mb(lambda: ours(full))
    return {
        "rows": ROWS,
        "ours_per_s": round(ours_per_s),
        "raw_per_s": round(raw_per_s),
        "ratio": round(ours_per_s / raw_per_s, 3),
        # CPU time of this process: steadier on a loaded machine; on SQLite it is all the work,
        # on PostgreSQL the server's share is missing from both sides.
        "ours_cpu_per_s": round(ours_cpu),
        "raw_cpu_per_s": round(raw_cpu),
        "ratio_cpu": round(ours_cpu / raw_cpu, 3),
        "ours_peak_mb": peak_full,
        "raw_peak_mb": _peak_mb(lambda: raw(full)),
        "peak_mb_50k": peak_half,  # ours at half the rows (50k by default)
        "peak_mb_100k": peak_full,  # ours at all the rows
    }
