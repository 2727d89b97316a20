"""`make bench [ONLY=name]`: run each benchmark module in bench/ (one JSON line each).

A benchmark is a module `bench/<name>.py` with `NAME` and `run() -> dict`; the runner adds peak
memory and prints the dict as one JSON line. Benchmarks build their own database: the one DATABASE_URL
names when it is set (PostgreSQL: the figure that counts, DESIGN decision 9; its tables are migrated
and the benchmarks' rows deleted again), else a temporary SQLite file, never the demo database.
Each line says which database it ran on.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
import tempfile
from pathlib import Path


def setup_django() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="shuzhuan-bench-"))
    os.environ.setdefault("SHUZHUAN_VAR_DIR", str(tmp))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhuan.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def main(argv: list[str]) -> int:
    only = set(argv)
    names = [m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_")]
    unknown = only - set(names)
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have: {', '.join(sorted(names))}", file=sys.stderr)
        return 2
    setup_django()
    from django.db import connection

    for name in sorted(names):
        if only and name not in only:
            continue
        module = importlib.import_module(f"bench.{name}")
        result = module.run()
        print(json.dumps({"benchmark": name, "database": connection.vendor, **result}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
