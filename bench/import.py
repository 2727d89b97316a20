"""Benchmark `import`: our enterprise import (validation included) next to a raw bulk insert.

Our side reads a noisy file as cities send them: GBK-encoded (as Excel saves a CSV in China), cells
written in assorted valid forms (thousands separators, 2019/3/8 dates, 350人, C3872, stray spaces,
backslashes), about 2 % of rows with an invalid cell and 1 % repeating an earlier row's USCC + 年度;
it imports with skip_invalid, so the rejected rows are reported and the rest written with history.
The raw side reads the rows our import accepts, in clean form from a UTF-8 CSV, parses them with
the csv module and inserts them into the same tables (Organisation, Enterprise, EnterpriseYear):
COPY on PostgreSQL, executemany on SQLite. Both rates count the rows written (the accepted ones).
Timings run without tracing, best of SHUZHUAN_BENCH_REPEAT alternating runs, in wall-clock and in
CPU seconds (steadier when the machine is busy); peak memory is measured in separate traced runs,
for ours at half and at full size, to show it stays flat as the file doubles.
`SHUZHUAN_BENCH_ROWS` (or `BENCH_ROWS`) sets the size, 100,000 rows by default.
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
ROWS = int(os.environ.get("SHUZHUAN_BENCH_ROWS") or os.environ.get("BENCH_ROWS") or "100000")
REPEAT = int(os.environ.get("SHUZHUAN_BENCH_REPEAT", "2"))  # best of N, the two sides alternating
SEED = 2024
HEADERS = ["统一社会信用代码", "企业名称", "法定代表人", "所属镇街", "地址", "行业代码", "成立日期",
           "从业人数", "营业收入", "纳税总额", "年度"]
WORDS = ["明辉", "永固", "华光", "新美", "恒达", "宏图", "金誉", "朗润", "卓越", "嘉禾", "盛世", "远航"]
TRADES = ["灯饰", "五金", "电器", "家具", "服装", "电子", "机械", "塑料", "包装", "模具"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
INVALID_SHARE, DUPLICATE_SHARE, NOISY_SHARE = 0.02, 0.01, 0.2


def _invalid(cells: list[str], rng: random.Random) -> None:
    """Spoil one cell so that the row is refused."""
    spoil = rng.randrange(5)
    if spoil == 0:  # a wrong check character
        code = cells[0]
        cells[0] = code[:17] + ("1" if code[17] != "1" else "2")
    elif spoil == 1:
        cells[3] = "火星镇"
    elif spoil == 2:
        cells[6] = "2019-02-30"
    elif spoil == 3:
        cells[7] = "-5"
    else:
        cells[8] = "约一千万"


def _noisy(clean: list[str], rng: random.Random) -> list[str]:
    """The same values written as people type them (each parses back to the clean value)."""
    cells = list(clean)
    revenue, tax = Decimal(clean[8]), Decimal(clean[9])
    founded = dt.date.fromisoformat(clean[6])
    cells[1] = f"  {clean[1]} "
    cells[5] = "C" + clean[5]
    cells[6] = f"{founded.year}/{founded.month}/{founded.day}"
    cells[7] = f"{clean[7]}人"
    cells[8] = f"{revenue:,.2f}"
    cells[9] = f"¥{tax}"
    return cells


def generate(noisy: Path, clean: Path, rows: int, towns: list[str], classes: list[str]) -> tuple[int, int]:
    """The noisy import file (GBK) and the clean rows it should give (UTF-8): (rows in the file, rows accepted)."""
    from shuzhuan.registry.domain import make_uscc

    rng = random.Random(SEED)
    accepted = 0
    previous: list[str] | None = None
    with noisy.open("w", encoding="gb18030", newline="") as fh, clean.open("w", encoding="utf-8", newline="") as ok:
        out, good = csv.writer(fh), csv.writer(ok)
        out.writerow(HEADERS)
        good.writerow(HEADERS)
        for i in range(rows):
            town = rng.choice(towns)
            revenue = Decimal(rng.randint(50_000_000, 30_000_000_000)) / 100
            address = f"{town}工业大道{rng.randint(1, 999)}号" + ("\\B栋" if i % 97 == 0 else "")
            cells = [
                make_uscc("442000", f"MA{i:06d}"),
                f"{town}{rng.choice(WORDS)}{rng.choice(TRADES)}示范有限公司{i}",
                rng.choice(SURNAMES) + rng.choice("伟芳娜敏静强磊军洋勇"),
                town,
                address,
                rng.choice(classes),
                (dt.date(1995, 1, 1) + dt.timedelta(days=rng.randint(0, 10_000))).isoformat(),
                str(rng.randint(3, 900)),
                f"{revenue:.2f}",
                f"{revenue * Decimal('0.03'):.2f}",
                "2024",
            ]
            draw = rng.random()
            if draw < INVALID_SHARE:
                _invalid(cells, rng)
                out.writerow(cells)
                continue
            if draw < INVALID_SHARE + DUPLICATE_SHARE and previous is not None:
                out.writerow([previous[0], cells[1], *cells[2:]])  # the previous row's USCC and year again
                continue
            good.writerow(cells)
            accepted += 1
            previous = cells
            out.writerow(_noisy(cells, rng) if draw < INVALID_SHARE + DUPLICATE_SHARE + NOISY_SHARE else cells)
    return rows, accepted


TABLES = ("core_auditentry", "registry_enterpriseyear", "registry_enterprise", "core_organisation")


def clear() -> None:
    """Delete the benchmark's rows; on PostgreSQL also vacuum, so that no run meets the dead rows of the last."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table in TABLES[:3]:
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("DELETE FROM core_organisation WHERE kind = 'enterprise'")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")


def ours(path: Path, accepted: int) -> int:
    from shuzhuan.registry.imports.service import import_file

    report = import_file(path, skip_invalid=True)
    assert report.created == report.rows_valid == accepted and not report.rolled_back, report.errors[:3]
    assert {e["code"] for e in report.errors} >= {"duplicate_in_file", "unknown_town"}, report.errors[:3]
    return report.created


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
    from django.db import connection

    settings.DEBUG = False  # as in production: no query log growing with the file
    from shuzhuan.core.models import Town
    from shuzhuan.registry.imports.service import manufacturing_classes

    towns = list(Town.objects.values_list("short_name", flat=True))
    classes = sorted(manufacturing_classes())
    folder = Path(tempfile.mkdtemp(prefix="shuzhuan-bench-import-"))
    full, half = folder / "full.csv", folder / "half.csv"
    _, accepted = generate(full, folder / "full-clean.csv", ROWS, towns, classes)
    _, accepted_half = generate(half, folder / "half-clean.csv", ROWS // 2, towns, classes)
    ours_runs, raw_runs = [], []
    for _ in range(REPEAT):
        ours_runs.append(_timed(lambda: ours(full, accepted)))
        raw_runs.append(_timed(lambda: raw(folder / "full-clean.csv")))
    ours_per_s, ours_cpu = (max(run[i] for run in ours_runs) for i in (0, 1))
    raw_per_s, raw_cpu = (max(run[i] for run in raw_runs) for i in (0, 1))
    peak_half, peak_full = _peak_mb(lambda: ours(half, accepted_half)), _peak_mb(lambda: ours(full, accepted))
    return {
        "baseline": "COPY" if connection.vendor == "postgresql" else "executemany",
        "rows": ROWS,
        "rows_accepted": accepted,
        "ours_per_s": round(ours_per_s),
        "raw_per_s": round(raw_per_s),
        "ratio": round(ours_per_s / raw_per_s, 3),
        # CPU time of this process: steadier on a loaded machine; on SQLite it is all the work,
        # on PostgreSQL the server's share is missing from both sides.
        "ours_cpu_per_s": round(ours_cpu),
        "raw_cpu_per_s": round(raw_cpu),
        "ratio_cpu": round(ours_cpu / raw_cpu, 3),
        "ours_peak_mb": peak_full,
        "raw_peak_mb": _peak_mb(lambda: raw(folder / "full-clean.csv")),
        f"peak_mb_{ROWS // 2}": peak_half,  # ours at half the rows
        f"peak_mb_{ROWS}": peak_full,  # ours at all the rows
    }
