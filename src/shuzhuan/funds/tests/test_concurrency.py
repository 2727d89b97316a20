"""Concurrent approvals from several processes never overspend a line, and the ledger stays balanced.

Each worker is a separate Python process with its own database connection (`ledger_worker.py`);
a round starts in all of them at the same moment. On PostgreSQL they share the test database. On
SQLite the in-memory test database cannot be shared between processes, so it is copied to a file
for the workers and copied back for the assertions (SQLite's backup API); SQLite runs one writer
at a time, and the test shows the same guarantees hold there.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import make_user
from django.db import connection

from shuzhuan.funds import services
from shuzhuan.funds.models import Account, Commitment, LedgerTransaction
from shuzhuan.funds.tests.conftest import PILOT

WORKERS = 8
COMMITS_EACH = 20
AMOUNT = Decimal("30000.00")  # 10,000.00 from each of the three sources
ALLOCATED = {"central": Decimal("1000000.00"), "provincial": Decimal("1000000.00"), "municipal": Decimal("900000.00")}


class Workers:
    def __init__(self, folder: Path):
        self.folder = folder
        self.sqlite_file = folder / "ledger.sqlite3" if connection.vendor == "sqlite" else None
        if self.sqlite_file:
            connection.ensure_connection()
            target = sqlite3.connect(self.sqlite_file)
            with target:
                connection.connection.backup(target)
            target.close()
            db = str(self.sqlite_file)
        else:
            db = connection.settings_dict["NAME"]
        src = Path(__file__).resolve().parents[3]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")]))}
        self.processes = [
            subprocess.Popen([sys.executable, "-m", "shuzhuan.funds.tests.ledger_worker", json.dumps({
                "db": db, "folder": str(folder), "worker": worker, "programme": PILOT, "amount": str(AMOUNT),
                "count": COMMITS_EACH})], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            for worker in range(WORKERS)
        ]

    def round(self, name: str) -> tuple[list[dict], float]:
        """Wait until every worker is ready, start the round in all at once, collect their counts."""
        deadline = time.monotonic() + 180
        while not all((self.folder / f"ready-{name}-{w}").exists() for w in range(WORKERS)):
            for process in self.processes:
                if process.poll() is not None:
                    pytest.fail(f"a worker stopped: {process.communicate()[1][-3000:]}")
            assert time.monotonic() < deadline, "workers did not get ready"
            time.sleep(0.02)
        started = time.monotonic()
        (self.folder / f"go-{name}").touch()
        results = [json.loads(process.stdout.readline()) for process in self.processes]
        seconds = time.monotonic() - started
        (self.folder / f"done-{name}").touch()  # every worker has finished this round
        self.copy_back()
        return results, seconds

    def copy_back(self) -> None:
        if self.sqlite_file:
            source = sqlite3.connect(self.sqlite_file)
            connection.ensure_connection()
            source.backup(connection.connection)
            source.close()

    def finish(self) -> None:
        for process in self.processes:
            _out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err[-3000:]
        self.copy_back()


def assert_ledger_sound() -> None:
    assert not Account.objects.exclude(bucket="funding").filter(balance__lt=0).exists()
    for txn in LedgerTransaction.objects.prefetch_related("postings"):
        assert sum(p.amount for p in txn.postings.all()) == 0, txn
    result = services.reconcile()
    assert result.clean, result.messages()


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_overspend(tmp_path, capsys):
    officer = make_user("city_concurrency", "city_officer")
    for source, amount in ALLOCATED.items():
        services.allocate(PILOT, source, "direct_sme", amount, officer)
    workers = Workers(tmp_path)
    try:
        commits, commit_seconds = workers.round("commit")
        ok = sum(r["ok"] for r in commits)
        refused = sum(r["refused"] for r in commits)
        # Municipal money is the scarcest: 900,000.00 / 10,000.00 = 90 approvals, whatever the interleaving.
        assert ok + refused == WORKERS * COMMITS_EACH
        assert (ok, refused) == (90, 70)
        assert Commitment.objects.filter(status="open").count() == ok
        balances = services.balances(PILOT)
        committed = sum(v["committed"] for v in balances.values())
        assert committed == ok * AMOUNT == Decimal("2700000.00") <= sum(ALLOCATED.values())
        for (source, _purpose), values in balances.items():
            assert values["available"] + values["committed"] == ALLOCATED[source]
        assert balances[("municipal", "direct_sme")]["available"] == 0
        assert balances[("central", "direct_sme")]["available"] == Decimal("100000.00")  # refused ones moved nothing
        assert_ledger_sound()

        # Every worker now tries to pay every open commitment at once: each is paid exactly once.
        pays, pay_seconds = workers.round("pay")
        workers.finish()
    finally:
        for process in workers.processes:
            if process.poll() is None:
                process.kill()
    assert all(r["tried"] == ok for r in pays)
    assert sum(r["ok"] for r in pays) == ok
    assert sum(r["refused"] for r in pays) == (WORKERS - 1) * ok
    assert Commitment.objects.filter(status="paid").count() == ok
    balances = services.balances(PILOT)
    assert sum(v["paid"] for v in balances.values()) == Decimal("2700000.00")
    assert sum(v["committed"] for v in balances.values()) == 0
    assert_ledger_sound()
    with capsys.disabled():
        print(f"\n[{connection.vendor}] {WORKERS} processes × {COMMITS_EACH} approvals of {AMOUNT} against "
              f"{sum(ALLOCATED.values())}: {ok} committed ({committed}), {refused} refused, in {commit_seconds:.2f} s; "
              f"{WORKERS} processes × {ok} payments: {sum(r['ok'] for r in pays)} paid, each once, in {pay_seconds:.2f} s; "
              f"{LedgerTransaction.objects.count()} transactions balanced, reconcile clean")
