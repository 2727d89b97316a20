"""One process of the concurrency test (`test_concurrency.py`): a separate Django with its own connection.

    python -m shuzhuan.funds.tests.ledger_worker '{"db": ..., "folder": ..., "worker": 0, ...}'

Opens a connection to the given database and, in two rounds, each started for every process at
the same moment by a "go" file: commits `count` approvals of `amount`, then tries to pay every
open commitment (in its own shuffled order). Prints one JSON line of counts per round.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path


def _wait(path: Path) -> None:
    deadline = time.monotonic() + 300
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"no {path.name} signal within 300 s")
        time.sleep(0.005)


def main(config: dict) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhuan.settings")
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = config["db"]
    import django

    django.setup()
    from django.db import connection

    from shuzhuan.funds import services
    from shuzhuan.funds.models import Commitment

    folder, worker = Path(config["folder"]), config["worker"]
    connection.ensure_connection()

    (folder / f"ready-commit-{worker}").touch()
    _wait(folder / "go-commit")
    counts: dict = {"round": "commit", "ok": 0, "refused": 0}
    for index in range(config["count"]):
        try:
            services.commit(config["programme"], Decimal(config["amount"]), f"project:{worker}-{index}", None)
        except services.InsufficientFunds:
            counts["refused"] += 1
        else:
            counts["ok"] += 1
    print(json.dumps(counts), flush=True)

    # List the open commitments once every worker has committed, and before anyone starts paying:
    # every worker must try all of them.
    _wait(folder / "done-commit")
    references = sorted(Commitment.objects.filter(status="open").values_list("reference", flat=True))
    random.Random(worker).shuffle(references)
    (folder / f"ready-pay-{worker}").touch()
    _wait(folder / "go-pay")
    counts = {"round": "pay", "ok": 0, "refused": 0, "tried": len(references)}
    for reference in references:
        try:
            services.pay(reference, None)
        except services.LedgerError:
            counts["refused"] += 1
        else:
            counts["ok"] += 1
    print(json.dumps(counts), flush=True)
    connection.close()


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
