"""Periodic tasks: what runs every so often, and the scheduler step that enqueues what is due.

django-tasks has no scheduler. An app declares its periodic tasks as data beside the tasks
(`PeriodicTask(name, task, Every(...) | DailyAt(...))`) and registers them in its `ready()`;
`shuzhuan scheduler` calls `run_due()` in a loop (or once, `--once`, for cron and tests) and the
task worker (`shuzhuan db_worker`) runs what it enqueued.

Time is cut into periods: `Every(interval)` into fixed slices counted from 2000-01-01 UTC,
`DailyAt(time)` into days starting at that local time (the zone of the `now` given, the site's
`TIME_ZONE` in `run_due`). A task is due when the period holding `now` was not yet claimed. A claim is
one conditional UPDATE on the task's `PeriodicRun` row (`period_start < this period`), in the same
transaction as the enqueue: of several schedulers, or after a restart, exactly one enqueues each
period; if the enqueue fails the claim rolls back and the next check tries again. A scheduler that
was down for several periods enqueues once on return, not once per missed period; a task never run
before is due at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
ONE_DAY = dt.timedelta(days=1)


# --- schedules (pure) --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Every:
    """Once in each slice of `interval`, the slices counted from 2000-01-01 00:00 UTC."""

    interval: dt.timedelta

    def __post_init__(self) -> None:
        if self.interval < dt.timedelta(seconds=1):
            raise ValueError(f"a periodic interval must be at least one second, not {self.interval}")

    def period_start(self, now: dt.datetime) -> dt.datetime:
        return EPOCH + (now - EPOCH) // self.interval * self.interval

    def next_start(self, now: dt.datetime) -> dt.datetime:
        return self.period_start(now) + self.interval


@dataclass(frozen=True)
class DailyAt:
    """Once a day, from `at` o'clock in the time zone of the `now` it is asked about."""

    at: dt.time

    def _on(self, day: dt.date, now: dt.datetime) -> dt.datetime:
        return dt.datetime.combine(day, self.at, tzinfo=now.tzinfo)

    def period_start(self, now: dt.datetime) -> dt.datetime:
        today = self._on(now.date(), now)
        return today if today <= now else self._on(now.date() - ONE_DAY, now)

    def next_start(self, now: dt.datetime) -> dt.datetime:
        return self._on(self.period_start(now).date() + ONE_DAY, now)


Schedule = Every | DailyAt


def is_due(schedule: Schedule, last_start: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether the period holding `now` is still to run, given the start of the last period claimed."""
    return last_start is None or last_start < schedule.period_start(now)


def seconds_to_next(schedules: Iterable[Schedule], now: dt.datetime, longest: float) -> float:
    """How long a scheduler may sleep: until the next period starts, at most `longest` seconds."""
    waits = [(s.next_start(now) - now).total_seconds() for s in schedules]
    return max(0.0, min([longest, *waits]))


# --- the registry ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodicTask:
    name: str  # unique and stable: the key of its PeriodicRun row, e.g. "programs.remind_deadlines"
    task: Any  # a django_tasks Task taking no arguments
    schedule: Schedule


_registry: dict[str, PeriodicTask] = {}


def register(*entries: PeriodicTask) -> None:
    """Declare periodic tasks (from an app's `ready()`); the same declaration twice is harmless."""
    for entry in entries:
        known = _registry.get(entry.name)
        if known is not None and known != entry:
            raise ValueError(f"periodic task {entry.name!r} is declared twice, differently")
        _registry[entry.name] = entry


def registered() -> list[PeriodicTask]:
    return sorted(_registry.values(), key=lambda entry: entry.name)


# --- claiming and enqueueing (the database) ---------------------------------------------------------------


def claim(name: str, period_start: dt.datetime, now: dt.datetime) -> bool:
    """Take `period_start` for the task `name` unless it (or a later period) was taken already.

    Call it inside the transaction that enqueues: a rollback returns the period. Schedulers racing
    for the same period serialise on the row; the loser's UPDATE matches nothing."""
    from django.db.models import Q

    from shuzhuan.core.models_periodic import PeriodicRun

    PeriodicRun.objects.bulk_create([PeriodicRun(name=name)], ignore_conflicts=True)
    open_period = Q(period_start__isnull=True) | Q(period_start__lt=period_start)
    return PeriodicRun.objects.filter(open_period, name=name).update(period_start=period_start, claimed_at=now) == 1


def run_due(now: dt.datetime | None = None, entries: Iterable[PeriodicTask] | None = None) -> list[str]:
    """Enqueue every registered task whose current period nobody has claimed; returns their names.

    One transaction per task: a task whose enqueue fails is logged and tried again at the next check,
    and does not hold up the others."""
    from django.db import transaction
    from django.utils import timezone

    from shuzhuan.core.models_periodic import PeriodicRun

    now = timezone.localtime(now or timezone.now())
    enqueued = []
    for entry in registered() if entries is None else entries:
        start = entry.schedule.period_start(now)
        try:
            with transaction.atomic():
                if not claim(entry.name, start, now):
                    continue
                result = entry.task.enqueue()
                PeriodicRun.objects.filter(name=entry.name).update(result_id=str(result.id)[:64])
        except Exception:
            logger.exception("periodic task %s: could not enqueue the period from %s", entry.name, start)
            continue
        logger.info("periodic task %s: enqueued for the period from %s", entry.name, start)
        enqueued.append(entry.name)
    return enqueued
