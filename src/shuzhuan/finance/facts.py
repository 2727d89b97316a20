"""Facts the 数字贷 eligibility rules read (DOMAIN §7), registered in FinanceConfig.ready: one query per
fact for all subjects (batch) and the same rule for one subject (single). `has_overdue_project` reads
the programmes' records (finance sits above programs, so it may)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
from django.db.models import Count, Q
from django.utils import timezone

from shuzhuan.finance.domain import filing as fd
from shuzhuan.policy import facts
from shuzhuan.policy.domain.engine import FRAME_DTYPES, frame_value

USCC = "organisation__uscc"


def _today() -> dt.date:
    return timezone.localdate()


def _enterprises(subjects: Sequence[str] | None):
    from shuzhuan.registry.models import Enterprise

    queryset = Enterprise.objects.all()
    return queryset if subjects is None else queryset.filter(organisation__uscc__in=list(subjects))


def _frame(pairs: list[tuple[str, Any]], kind: str) -> pl.DataFrame:
    return pl.DataFrame({"subject": [p[0] for p in pairs], "value": [frame_value(kind, p[1]) for p in pairs]},
                        schema={"subject": pl.Utf8, "value": FRAME_DTYPES[kind]})


def years_in_city_of(founded_on: dt.date | None, today: dt.date) -> int | None:
    return None if founded_on is None else fd.full_years(founded_on, today)


def _years_batch(subjects, period):
    today = _today()
    rows = _enterprises(subjects).values_list(USCC, "founded_on")
    return _frame([(u, years_in_city_of(f, today)) for u, f in rows], "int")


def _years_single(subject, period):
    founded = _enterprises([subject]).values_list("founded_on", flat=True).first()
    return years_in_city_of(founded, _today())


def _flag(*kinds: str) -> tuple[Callable, Callable]:
    def condition(today: dt.date) -> Q:
        return Q(compliance_flags__kind__in=kinds, compliance_flags__listed_on__lte=today) & (
            Q(compliance_flags__removed_on__isnull=True) | Q(compliance_flags__removed_on__gt=today))

    def batch(subjects, period):
        rows = _enterprises(subjects).annotate(n=Count("compliance_flags", filter=condition(_today()))).values_list(USCC, "n")
        return _frame([(u, n > 0) for u, n in rows], "bool")

    def single(subject, period):
        from shuzhuan.finance.models import ComplianceFlag

        if not _enterprises([subject]).exists():
            return None
        return ComplianceFlag.objects.active(_today()).filter(
            enterprise__organisation__uscc=subject, kind__in=kinds).exists()

    return batch, single


def _overdue_q(today: dt.date, prefix: str = "") -> Q:
    from shuzhuan.programs.domain import workflow as wf

    return (Q(**{f"{prefix}state__in": [wf.DRAFT, wf.CONTRACT_FILED, wf.IN_PROGRESS], f"{prefix}finish_due__lt": today})
            | Q(**{f"{prefix}state": wf.COMPLETED, f"{prefix}acceptance_due__lt": today}))


def _overdue_batch(subjects, period):
    rows = _enterprises(subjects).annotate(
        n=Count("programme_projects", filter=_overdue_q(_today(), "programme_projects__"))).values_list(USCC, "n")
    return _frame([(u, n > 0) for u, n in rows], "bool")


def _overdue_single(subject, period):
    if not _enterprises([subject]).exists():
        return None
    return _enterprises([subject]).filter(_overdue_q(_today(), "programme_projects__")).exists()


def _in_progress_batch(subjects, period):
    rows = _enterprises(subjects).annotate(
        n=Count("loan_filings", filter=Q(loan_filings__state__in=fd.IN_PROGRESS))).values_list(USCC, "n")
    return _frame(list(rows), "int")


def _in_progress_single(subject, period):
    from shuzhuan.finance.models import Filing

    if not _enterprises([subject]).exists():
        return None
    return Filing.objects.filter(enterprise__organisation__uscc=subject, state__in=fd.IN_PROGRESS).count()


def register() -> None:
    facts.register("years_in_city", "int", "在本市经营年数", "法人在本市登记（成立）至今的整年数",
                   batch=_years_batch, single=_years_single, owner="finance")
    for name, kinds, label, description in (
        ("on_dishonesty_list", ("dishonesty", "major_tax"), "列入失信或重大税收违法名单",
         "是否在失信被执行人或重大税收违法失信主体名单上（按今日有效的记录）"),
        ("is_two_high", ("two_high",), "两高企业", "是否属于高耗能、高排放企业"),
        ("major_incident", ("major_incident",), "发生重大事故", "近三年是否发生重大安全、环保、质量事故"),
    ):
        batch, single = _flag(*kinds)
        facts.register(name, "bool", label, description, batch=batch, single=single, owner="finance")
    facts.register("has_overdue_project", "bool", "有逾期未验收项目",
                   "在市工信局有逾期未完成或逾期未申请验收的改造项目（读改造项目记录）",
                   batch=_overdue_batch, single=_overdue_single, owner="finance")
    # given facts of the interest-subsidy policies (finance/domain/interest.py computes them per year)
    facts.register("interest_counted", "money", "计入贴息的利息",
                   "该年度付息日在窗口内的实付利息合计（各笔贷款；按政策折算后）（元）", owner="finance")
    facts.register("subsidy_year", "int", "贴息年度序号", "自企业首个贴息年度起的第几年（首年为 1）", owner="finance")
    facts.register("filings_in_progress", "int", "在办数字贷备案数", "企业已提交、审核中、已备案或已申请贷款的备案项目数",
                   batch=_in_progress_batch, single=_in_progress_single, owner="finance")
