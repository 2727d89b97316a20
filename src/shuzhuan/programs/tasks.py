"""Background work: deadline reminders, enqueued daily by `shuzhuan scheduler` (PERIODIC, registered in
apps.py) or by hand with `remind_deadlines.enqueue()`."""

import datetime as dt

from django_tasks import task

from shuzhuan.core.periodic import DailyAt, PeriodicTask
from shuzhuan.programs import services


@task()
def remind_deadlines() -> int:
    """Write a reminder on the timeline of each project past or near its deadline (once a week each)."""
    return services.remind_deadlines()


PERIODIC = (
    PeriodicTask("programs.remind_deadlines", remind_deadlines, DailyAt(dt.time(7, 0))),  # before office hours
)
