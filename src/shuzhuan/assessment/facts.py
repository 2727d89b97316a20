"""Facts the assessment owns, registered with the policy engine (assessment sits above policy)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from shuzhuan.policy import facts


def _official(subjects: Sequence[str] | None):
    from shuzhuan.assessment.models import Assessment

    rows = Assessment.objects.filter(is_official=True)
    if subjects is not None:
        rows = rows.filter(enterprise__organisation__uscc__in=list(subjects))
    return rows


def official_level_batch(subjects: Sequence[str] | None, period: int | None) -> pl.DataFrame:
    rows = list(_official(subjects).values_list("enterprise__organisation__uscc", "level"))
    return pl.DataFrame({"subject": [r[0] for r in rows], "value": [r[1] for r in rows]},
                        schema={"subject": pl.Utf8, "value": pl.Int64})


def official_level_single(subject: str, period: int | None) -> int | None:
    return _official([subject]).values_list("level", flat=True).first()


def register() -> None:
    facts.register("official_level", "int", "数字化水平等级",
                   "企业的官方评测结果等级（有现场评定取最新现场评定，否则取最新自评；0 表示未达到一级）",
                   batch=official_level_batch, single=official_level_single, owner="assessment")
