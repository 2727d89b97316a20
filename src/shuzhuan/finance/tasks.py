"""Background work: filings without a loan application 6 months on become void (daily)."""

import datetime as dt

from django_tasks import task

from shuzhuan.core.periodic import DailyAt, PeriodicTask
from shuzhuan.finance import services


@task()
def void_stale_filings() -> int:
    return services.void_stale_filings()


PERIODIC = (PeriodicTask("finance.void_stale_filings", void_stale_filings, DailyAt(dt.time(6, 30))),)
