"""Facts from the recognitions registry: how many demo workshops an enterprise was awarded and what it
received for them — the inputs of the workshop's one-per-enterprise rule and the factory's difference —
and the level of its smart-manufacturing pilot recognitions in a year (the demo 免申即享 award)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import polars as pl
from django.db.models import Count, Sum

from shuzhuan.policy import facts


def _enterprises(subjects: Sequence[str] | None) -> list[str]:
    from shuzhuan.registry.models import Enterprise

    rows = Enterprise.objects.all() if subjects is None else Enterprise.objects.filter(
        organisation__uscc__in=list(subjects))
    return list(rows.values_list("organisation__uscc", flat=True))


def _aggregate(kind: str, subjects: Sequence[str] | None, money: bool) -> pl.DataFrame:
    from shuzhuan.policy.models import Recognition

    rows = Recognition.objects.filter(kind=kind)
    if subjects is not None:
        rows = rows.filter(organisation__uscc__in=list(subjects))
    agg = Sum("award") if money else Count("pk")
    found = dict(rows.values("organisation__uscc").annotate(v=agg).values_list("organisation__uscc", "v"))
    everyone = _enterprises(subjects)
    values = [found.get(u) or 0 for u in everyone]
    if money:
        values = [int(Decimal(v).scaleb(2)) for v in values]
    return pl.DataFrame({"subject": everyone, "value": values}, schema={"subject": pl.Utf8, "value": pl.Int64})


def _single(kind: str, uscc: str, money: bool):
    from shuzhuan.policy.models import Recognition
    from shuzhuan.registry.models import Enterprise

    if not Enterprise.objects.filter(organisation__uscc=uscc).exists():
        return None
    rows = Recognition.objects.filter(kind=kind, organisation__uscc=uscc)
    if money:
        return (rows.aggregate(v=Sum("award"))["v"] or Decimal("0")).quantize(Decimal("0.01"))
    return rows.count()


RANKS = {"national": 3, "provincial": 2, "city": 1}


def _rank_batch(subjects: Sequence[str] | None, period: int | None) -> pl.DataFrame:
    from shuzhuan.policy.models import Recognition, RecognitionKind

    rows = Recognition.objects.filter(kind=RecognitionKind.SMART_PILOT, year=period)
    if subjects is not None:
        rows = rows.filter(organisation__uscc__in=list(subjects))
    best: dict[str, int] = {}
    for uscc, level in rows.values_list("organisation__uscc", "level"):
        best[uscc] = max(best.get(uscc, 0), RANKS.get(level, 0))
    everyone = _enterprises(subjects)
    return pl.DataFrame({"subject": everyone, "value": [best.get(u, 0) for u in everyone]},
                        schema={"subject": pl.Utf8, "value": pl.Int64})


def _rank_single(uscc: str, period: int | None) -> int | None:
    from shuzhuan.policy.models import Recognition, RecognitionKind
    from shuzhuan.registry.models import Enterprise

    if not Enterprise.objects.filter(organisation__uscc=uscc).exists():
        return None
    levels = Recognition.objects.filter(kind=RecognitionKind.SMART_PILOT, year=period,
                                        organisation__uscc=uscc).values_list("level", flat=True)
    return max((RANKS.get(level, 0) for level in levels), default=0)


def register() -> None:
    from shuzhuan.policy.models import RecognitionKind

    workshop = RecognitionKind.DEMO_WORKSHOP
    facts.register("workshops_awarded_before", "int", "已获示范车间数", "该企业此前获评的示范车间数量",
                   batch=lambda s, p: _aggregate(workshop, s, False), single=lambda u, p: _single(workshop, u, False),
                   owner="policy")
    facts.register("workshop_award_received", "money", "已获示范车间奖补", "同一企业此前已获的示范车间奖补金额（元）",
                   batch=lambda s, p: _aggregate(workshop, s, True), single=lambda u, p: _single(workshop, u, True),
                   owner="policy")
    facts.register("smart_pilot_rank", "int", "智能制造试点示范级别",
                   "该年度获评的智能制造试点示范项目的最高级别：3 国家级，2 省级，1 市级，0 没有",
                   by_year=True, batch=_rank_batch, single=_rank_single, owner="policy")
