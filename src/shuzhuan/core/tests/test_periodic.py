"""Periodic tasks: which period is due (pure), one claim per period however many schedulers run, and
`shuzhuan scheduler --once` enqueueing the deadline reminders that the worker then writes.

The race test starts real scheduler processes at the same moment against one database; this module
is also their entry point (`python -m shuzhuan.core.tests.test_periodic '{"db": …, "folder": …}'`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shuzhuan.core.periodic import DailyAt, Every, PeriodicTask, is_due, register, seconds_to_next

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


def at(text: str, tz=SHANGHAI) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=tz)


# --- due or not (pure) ---------------------------------------------------------------------------------------


def test_every_cuts_time_into_aligned_slices():
    hourly = Every(dt.timedelta(hours=1))
    assert hourly.period_start(at("2026-03-05 10:59:59", UTC)) == at("2026-03-05 10:00", UTC)
    assert hourly.period_start(at("2026-03-05 11:00:00", UTC)) == at("2026-03-05 11:00", UTC)
    assert hourly.next_start(at("2026-03-05 10:20", UTC)) == at("2026-03-05 11:00", UTC)
    # The same instant seen from another zone falls in the same slice.
    assert hourly.period_start(at("2026-03-05 18:30")) == at("2026-03-05 10:00", UTC)
    with pytest.raises(ValueError):
        Every(dt.timedelta(0))


def test_daily_at_starts_the_day_at_its_local_time():
    seven = DailyAt(dt.time(7, 0))
    assert seven.period_start(at("2026-03-05 06:59")) == at("2026-03-04 07:00")
    assert seven.period_start(at("2026-03-05 07:00")) == at("2026-03-05 07:00")
    assert seven.period_start(at("2026-03-05 23:59")) == at("2026-03-05 07:00")
    assert seven.next_start(at("2026-03-05 06:00")) == at("2026-03-05 07:00")
    assert seven.next_start(at("2026-03-05 08:00")) == at("2026-03-06 07:00")
    # 07:00 in Shanghai is 23:00 UTC the day before.
    assert seven.period_start(at("2026-03-05 07:30")) == at("2026-03-04 23:00", UTC)


def test_daily_at_over_a_daylight_saving_change():
    berlin = ZoneInfo("Europe/Berlin")  # clocks go forward on 2026-03-29 at 02:00
    two_thirty = DailyAt(dt.time(2, 30))
    start = two_thirty.period_start(at("2026-03-29 12:00", berlin))
    assert start.date() == dt.date(2026, 3, 29) and start <= at("2026-03-29 12:00", berlin)
    assert two_thirty.next_start(at("2026-03-29 12:00", berlin)) == at("2026-03-30 02:30", berlin)


def test_due_once_per_period():
    seven = DailyAt(dt.time(7, 0))
    now = at("2026-03-05 09:00")
    assert is_due(seven, None, now)  # never run: due at once
    assert is_due(seven, at("2026-03-04 07:00"), now)  # yesterday's period was the last
    assert not is_due(seven, at("2026-03-05 07:00"), now)  # today's is claimed
    assert not is_due(seven, at("2026-03-06 07:00"), now)  # a scheduler with a clock ahead claimed tomorrow's
    assert not is_due(seven, at("2026-03-04 07:00"), at("2026-03-05 06:59"))  # yesterday's period still runs


def test_the_scheduler_sleeps_until_the_next_period_at_most_its_longest():
    now = at("2026-03-05 06:59:30")
    assert seconds_to_next([DailyAt(dt.time(7, 0))], now, 60) == 30
    assert seconds_to_next([DailyAt(dt.time(8, 0))], now, 60) == 60
    assert seconds_to_next([], now, 60) == 60


def test_a_name_is_declared_once(monkeypatch):
    from shuzhuan.core import periodic

    monkeypatch.setattr(periodic, "_registry", {})
    entry = PeriodicTask("test.twice", object(), Every(dt.timedelta(minutes=5)))
    register(entry, entry)  # the same declaration again is harmless
    with pytest.raises(ValueError, match="twice"):
        register(PeriodicTask("test.twice", entry.task, Every(dt.timedelta(minutes=10))))


# --- claims (the database) -----------------------------------------------------------------------------------


class Recorder:
    """Stands in for a django_tasks Task: counts enqueues, or fails them."""

    def __init__(self, fail: bool = False):
        self.fail, self.calls = fail, 0

    def enqueue(self):
        if self.fail:
            raise RuntimeError("the queue is away")
        self.calls += 1
        return type("Result", (), {"id": f"run-{self.calls}"})()


@pytest.mark.django_db
def test_a_period_is_claimed_once():
    from shuzhuan.core.periodic import claim

    today, tomorrow = at("2026-03-05 07:00"), at("2026-03-06 07:00")
    assert claim("test.claim", today, today)
    assert not claim("test.claim", today, today)  # a second scheduler, or the same after a restart
    assert not claim("test.claim", at("2026-03-04 07:00"), today)  # a scheduler with a clock behind
    assert claim("test.claim", tomorrow, tomorrow)


@pytest.mark.django_db
def test_run_due_enqueues_each_period_once_and_retries_a_failed_enqueue():
    from shuzhuan.core.models_periodic import PeriodicRun
    from shuzhuan.core.periodic import run_due

    good, broken = Recorder(), Recorder(fail=True)
    entries = [PeriodicTask("test.good", good, DailyAt(dt.time(7))),
               PeriodicTask("test.broken", broken, DailyAt(dt.time(7)))]
    morning = at("2026-03-05 07:00:05")
    assert run_due(morning, entries) == ["test.good"]  # the broken one does not hold up the other
    assert run_due(at("2026-03-05 18:00"), entries) == []
    assert good.calls == 1
    run = PeriodicRun.objects.get(name="test.good")
    assert run.period_start == at("2026-03-05 07:00") and run.result_id == "run-1"
    assert not PeriodicRun.objects.filter(name="test.broken", period_start__isnull=False).exists()  # rolled back

    broken.fail = False
    assert run_due(at("2026-03-05 18:00"), entries) == ["test.broken"]  # tried again at the next check
    assert run_due(at("2026-03-08 09:00"), entries) == ["test.good", "test.broken"]  # once after days away
    assert good.calls == 2 and broken.calls == 2


# --- several schedulers at once --------------------------------------------------------------------------------

SCHEDULERS = 3


def scheduler_process(config: dict) -> None:
    """One scheduler process of the race test: its own Django and connection; runs `scheduler --once`
    when the "go" file appears, so all of them claim at the same moment."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhuan.settings")
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = config["db"]
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    folder = Path(config["folder"])
    connection.ensure_connection()
    (folder / f"ready-{config['worker']}").touch()
    deadline = time.monotonic() + 120
    while not (folder / "go").exists():
        if time.monotonic() > deadline:
            raise SystemExit("no go signal within 120 s")
        time.sleep(0.005)
    call_command("scheduler", "--once")
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_several_schedulers_enqueue_a_period_once(tmp_path):
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from shuzhuan.core.models_periodic import PeriodicRun

    sqlite_file = tmp_path / "schedulers.sqlite3" if connection.vendor == "sqlite" else None
    if sqlite_file:  # the in-memory test database cannot be shared between processes: copy it to a file
        connection.ensure_connection()
        target = sqlite3.connect(sqlite_file)
        with target:
            connection.connection.backup(target)
        target.close()
    src = Path(__file__).resolve().parents[3]
    env = {**os.environ, "SHUZHUAN_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")]))}
    db = str(sqlite_file) if sqlite_file else connection.settings_dict["NAME"]
    processes = [
        subprocess.Popen([sys.executable, "-m", "shuzhuan.core.tests.test_periodic",
                          json.dumps({"db": db, "folder": str(tmp_path), "worker": worker})],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for worker in range(SCHEDULERS)
    ]
    try:
        deadline = time.monotonic() + 180
        while not all((tmp_path / f"ready-{w}").exists() for w in range(SCHEDULERS)):
            for process in processes:
                if process.poll() is not None:
                    pytest.fail(f"a scheduler stopped: {process.communicate()[1][-3000:]}")
            assert time.monotonic() < deadline, "schedulers did not get ready"
            time.sleep(0.02)
        (tmp_path / "go").touch()
        outputs = []
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err[-3000:]
            outputs.append(out)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    if sqlite_file:
        source = sqlite3.connect(sqlite_file)
        source.backup(connection.connection)
        source.close()

    assert sum(out.count("已加入队列：programs.remind_deadlines") for out in outputs) == 1
    assert DBTaskResult.objects.filter(task_path="shuzhuan.programs.tasks.remind_deadlines").count() == 1
    assert PeriodicRun.objects.get(name="programs.remind_deadlines").period_start is not None


if __name__ == "__main__":
    scheduler_process(json.loads(sys.argv[1]))
