"""Core background work: closing jobs whose worker died, every few minutes (`shuzhuan scheduler`), so a
job nobody looks at does not stay "running" (looking at one closes it too: `jobs.snapshot`)."""

import datetime as dt

from django_tasks import task

from shuzhuan.core import jobs
from shuzhuan.core.periodic import Every, PeriodicTask


@task()
def reap_stale_jobs() -> int:
    return len(jobs.reap_stale())


PERIODIC = (
    PeriodicTask("core.reap_stale_jobs", reap_stale_jobs, Every(dt.timedelta(minutes=5))),
)
