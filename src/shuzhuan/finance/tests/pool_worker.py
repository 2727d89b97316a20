"""One process of the guarantee-pool concurrency test (`test_pool_concurrency.py`), with its own
connection: waits for the "go" file, compensates its loans, prints one JSON line of counts.

    python -m shuzhuan.finance.tests.pool_worker '{"db": ..., "folder": ..., "worker": 0, "loans": [...], "loss": "100.00"}'
"""

from __future__ import annotations

import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path


def main(config: dict) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhuan.settings")
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = config["db"]
    import django

    django.setup()
    from django.db import connection

    from shuzhuan.finance import guarantee
    from shuzhuan.finance.models import PoolLoan

    folder, worker = Path(config["folder"]), config["worker"]
    connection.ensure_connection()
    (folder / f"ready-{worker}").touch()
    deadline = time.monotonic() + 300
    while not (folder / "go").exists():
        if time.monotonic() > deadline:
            raise SystemExit("no go signal")
        time.sleep(0.005)
    counts = {"ok": 0, "refused": 0}
    for pk in config["loans"]:
        try:
            guarantee.compensate(None, PoolLoan.objects.get(pk=pk), Decimal(config["loss"]))
        except guarantee.PoolError:
            counts["refused"] += 1
        else:
            counts["ok"] += 1
    print(json.dumps(counts), flush=True)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
