"""Background work: filings without a loan application 6 months on become void (daily); a bank's
repayment report import (validate, then import — the shared import flow)."""

import datetime as dt

from django_tasks import task

from shuzhuan.core import jobs
from shuzhuan.core.periodic import DailyAt, PeriodicTask
from shuzhuan.finance import imports, services
from shuzhuan.registry.imports.flow import ImportFlow


@task()
def void_stale_filings() -> int:
    return services.void_stale_filings()


@task()
def interest_claims() -> int | None:
    """The quarter just ended: its 免申即享 interest-subsidy claims (idempotent, so it runs daily and a
    late bank report for the quarter becomes a claim the next day)."""
    from shuzhuan.finance import claims

    return claims.run_previous_quarter()


PERIODIC = (PeriodicTask("finance.void_stale_filings", void_stale_filings, DailyAt(dt.time(6, 30))),
            PeriodicTask("finance.interest_claims", interest_claims, DailyAt(dt.time(7, 0))))

VALIDATE = "finance.repayments.validate"
IMPORT = "finance.repayments.run"
FLOW = ImportFlow(imports.import_file, "finance:loans", "导入完成：报送 {created} 笔还款")


@task()
def validate_import(job_id: str) -> dict:
    return jobs.run(job_id, FLOW.validate_work)


@task()
def run_import(job_id: str) -> dict:
    return jobs.run(job_id, FLOW.import_work)
