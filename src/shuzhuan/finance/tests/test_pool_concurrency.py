"""Parallel compensations from several processes never overdraw the 助保贷 deposit (the funds ledger's
conditional debit), and the waterfall's totals hold. PostgreSQL shares the test database between the
processes; on SQLite the in-memory database is copied to a file and back (as funds' concurrency test)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from shuzhuan.finance import guarantee
from shuzhuan.finance.models import BankProfile, GuaranteePool, PoolCompensation, PoolLoan
from shuzhuan.funds.models import LedgerTransaction

WORKERS = 6
LOANS_EACH = 6
LOSS = Decimal("100.00")


@pytest.mark.django_db(transaction=True)
def test_parallel_compensations_never_overdraw_the_deposit(world, tmp_path, capsys):
    pool = GuaranteePool.objects.create(code="zbd-test", name="助保贷（测试）")
    guarantee.fund_deposit(None, pool, Decimal("1000.00"))
    bank = BankProfile.objects.create(organisation=world.orgs["bank_a"])
    loans = [guarantee.register_loan(None, pool, world.enterprises["a" if i % 2 else "b"], bank, Decimal("200.00"),
                                     dt.date(2024, 1, 10)).pk for i in range(WORKERS * LOANS_EACH)]
    fee_pool = guarantee.balances(pool)["fee_pool"]
    assert fee_pool == Decimal("4.00") * len(loans)  # 2 % of 200.00 each
    sqlite_file = tmp_path / "pool.sqlite3" if connection.vendor == "sqlite" else None
    if sqlite_file:
        connection.ensure_connection()
        target = sqlite3.connect(sqlite_file)
        with target:
            connection.connection.backup(target)
        target.close()
    db = str(sqlite_file) if sqlite_file else connection.settings_dict["NAME"]
    src = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")]))}
    processes = [subprocess.Popen(
        [sys.executable, "-m", "shuzhuan.finance.tests.pool_worker", json.dumps({
            "db": db, "folder": str(tmp_path), "worker": w, "loans": loans[w::WORKERS], "loss": str(LOSS)})],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for w in range(WORKERS)]
    try:
        deadline = time.monotonic() + 180
        while not all((tmp_path / f"ready-{w}").exists() for w in range(WORKERS)):
            for p in processes:
                if p.poll() is not None:
                    pytest.fail(p.communicate()[1][-3000:])
            assert time.monotonic() < deadline
            time.sleep(0.02)
        started = time.monotonic()
        (tmp_path / "go").touch()
        results = []
        for p in processes:
            out, err = p.communicate(timeout=240)
            assert p.returncode == 0, err[-3000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
        seconds = time.monotonic() - started
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
    if sqlite_file:
        source = sqlite3.connect(sqlite_file)
        connection.ensure_connection()
        source.backup(connection.connection)
        source.close()
    assert sum(r["ok"] for r in results) == len(loans) and not any(r["refused"] for r in results)
    comps = list(PoolCompensation.objects.all())
    assert len(comps) == len(loans) and PoolLoan.objects.filter(compensated=True).count() == len(loans)
    total_loss = LOSS * len(loans)
    from_pool = sum(c.from_fee_pool for c in comps)
    from_deposit = sum(c.from_deposit for c in comps)
    bank_part = sum(c.borne_by_bank for c in comps)
    # fee pool 144.00 first; the rest 3,456.00 shared half-half → 1,728.00 wanted from a 1,000.00 deposit
    assert from_pool == fee_pool
    assert from_deposit == Decimal("1000.00")  # the deposit exactly used up, never more
    assert from_pool + from_deposit + bank_part == total_loss
    assert all(c.from_deposit <= (c.loss - c.from_fee_pool) / 2 for c in comps)
    after = guarantee.balances(pool)
    assert after["deposit"] == Decimal("0.00") and after["fee_pool"] == Decimal("0.00")
    assert after["deposit_paid"] == from_deposit and after["fee_pool_paid"] == from_pool
    for txn in LedgerTransaction.objects.prefetch_related("postings"):
        assert sum(p.amount for p in txn.postings.all()) == 0
    with capsys.disabled():
        print(f"\n[{connection.vendor}] {WORKERS} processes × {LOANS_EACH} compensations of {LOSS}: deposit 1000.00 → "
              f"paid {from_deposit}, fee pool {from_pool}, banks {bank_part}, in {seconds:.2f} s; never overdrawn")
