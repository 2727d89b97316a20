"""Shared result helpers: score a sheet into its row, and pick each enterprise's official result."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment.domain.scoring import Result, score
from shuzhuan.assessment.models import FINAL_STATUSES, Assessment, Source


def apply_score(assessment: Assessment, partial: bool = False) -> Result:
    """Score the sheet with its indicator set and store the result on the row (not saved).

    Raises `AssessmentInputError` (naming each field) when a complete sheet is invalid."""
    indicator_set = indicator_sets.load(assessment.indicator_set)
    result = score(indicator_set, assessment.answers, assessment.scenarios, partial,
                   figures=assessment.figures, kind=assessment.kind)
    assessment.version = result.version
    assessment.score = result.score
    assessment.level = result.level
    assessment.dimensions = {k: str(v) for k, v in result.dimensions.items()}
    assessment.second_levels = {k: str(v) for k, v in result.second_levels.items()}
    assessment.indicators = {k: str(v) for k, v in result.indicators.items()}
    assessment.explanation = list(result.explanation)
    assessment.updated_at = timezone.now()
    return result


def _is_onsite():
    from django.db.models import Case, IntegerField, Value, When

    return Case(When(source=Source.ONSITE, then=Value(1)), default=Value(0), output_field=IntegerField())


def official_order() -> list[str]:
    """On-site ratings first, then the newest: the first row per enterprise is its official result."""
    return ["-is_onsite", "-assessed_on", "-id"]


def official_assessments(queryset: QuerySet[Assessment] | None = None) -> QuerySet[Assessment]:
    """Each enterprise's official result: its latest signed on-site rating if any, else its latest
    final self-assessment / import (DESIGN decision 7). One row per enterprise, one query."""
    base = (queryset if queryset is not None else Assessment.objects.all()).filter(status__in=FINAL_STATUSES)
    ranked = base.annotate(is_onsite=_is_onsite())
    best = ranked.filter(enterprise_id=OuterRef("enterprise_id")).order_by(*official_order()).values("pk")[:1]
    return base.filter(pk=Subquery(best))


REFRESH_CHUNK = 5000


def refresh_official(enterprise_ids: Iterable[int] | None = None) -> int:
    """Recompute `is_official` for these enterprises (all when None) from `official_assessments`'s rule,
    in one sorted pass (a window function) instead of a subquery per row. Every writer that makes a
    sheet final (submit, sign, import, demo) calls it; a test reconciles the flag with the rule.
    Returns the number of official rows."""
    from django.db import transaction
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    ids = None if enterprise_ids is None else sorted(set(enterprise_ids))
    chunks = [None] if ids is None else [ids[i:i + REFRESH_CHUNK] for i in range(0, len(ids), REFRESH_CHUNK)]
    official = 0
    with transaction.atomic():
        for chunk in chunks:
            scope = Assessment.objects.all() if chunk is None else Assessment.objects.filter(enterprise_id__in=chunk)
            ranked = scope.filter(status__in=FINAL_STATUSES).annotate(
                is_onsite=_is_onsite(),
                rank=Window(RowNumber(), partition_by=[F("enterprise_id")],
                            order_by=[F("is_onsite").desc(), F("assessed_on").desc(), F("id").desc()]),
            )
            winners = list(ranked.filter(rank=1).values_list("pk", flat=True))
            stale = scope.filter(is_official=True)
            if len(winners) <= REFRESH_CHUNK:  # keep the rows that stay official; else clear and set again
                stale = stale.exclude(pk__in=winners)
            stale.update(is_official=False)
            for i in range(0, len(winners), REFRESH_CHUNK):
                Assessment.objects.filter(pk__in=winners[i:i + REFRESH_CHUNK]).update(is_official=True)
            official += len(winners)
    return official


# --- what other apps read (the marketplace, the programmes): they never query assessment models -------------

def official_for(enterprise_id: int) -> Assessment | None:
    """The enterprise's official result (DESIGN decision 7), or None."""
    return official_assessments(Assessment.objects.filter(enterprise_id=enterprise_id)).first()


def official_levels(enterprise_ids: Iterable[int]) -> dict[int, int | None]:
    """enterprise id → level of its official result, for those that have one (one query)."""
    rows = official_assessments(Assessment.objects.filter(enterprise_id__in=list(enterprise_ids)))
    return dict(rows.values_list("enterprise_id", "level"))


def official_results() -> QuerySet[Assessment]:
    """The stored official rows (`is_official`, kept by `refresh_official`), for aggregates across apps."""
    return Assessment.objects.filter(is_official=True)


def assessed_enterprise_ids(limit: int) -> list[int]:
    """Enterprises whose official result has a level and scenario answers, by id, at most `limit`."""
    rows = official_assessments(Assessment.objects.exclude(scenarios={})).exclude(level__isnull=True)
    return list(rows.order_by("enterprise_id").values_list("enterprise_id", flat=True)[:limit])


def final_results(enterprise_ids: Iterable[int]) -> Iterable[tuple[int, Any, bool, int, int | None]]:
    """Every final result of these enterprises as (enterprise id, assessed on, on-site?, id, level), one query."""
    rows = Assessment.objects.filter(enterprise_id__in=list(enterprise_ids), status__in=FINAL_STATUSES).values_list(
        "enterprise_id", "assessed_on", "source", "pk", "level")
    return ((e, d, src == Source.ONSITE, pk, lvl) for e, d, src, pk, lvl in rows.iterator(chunk_size=5000))


def final_result_table() -> list[tuple]:
    """Every final result as raw rows for batch engines: (enterprise id, id, 1 if on-site else 0, assessed on,
    level, scenarios as stored, indicator set). One query, no model instances."""
    from django.db import connection

    table = Assessment._meta.db_table
    marks = ", ".join(["%s"] * len(FINAL_STATUSES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT enterprise_id, id, source, assessed_on, level, scenarios, indicator_set FROM {table} "  # noqa: S608
            f"WHERE status IN ({marks})", [str(s) for s in FINAL_STATUSES])
        rows = cursor.fetchall()
    return [(e, i, int(src == Source.ONSITE), d, lvl, s, ind) for e, i, src, d, lvl, s, ind in rows]


def signed_post_rating(enterprise_id: int) -> Assessment | None:
    """The enterprise's latest signed on-site post-transformation rating, if any."""
    from shuzhuan.assessment.models import Kind, Status

    return (Assessment.objects.filter(enterprise_id=enterprise_id, kind=Kind.POST, source=Source.ONSITE,
                                      status=Status.SIGNED)
            .order_by("-assessed_on", "-id").first())


def assessment_by_pk(pk: int | None) -> Assessment | None:
    return Assessment.objects.filter(pk=pk).first() if pk else None


def rating_facts(assessment: Assessment) -> dict[str, bool]:
    """What a programme checks of a post-transformation rating: signed, on-site, of the post kind."""
    from shuzhuan.assessment.models import Kind, Status

    return {"signed": assessment.status == Status.SIGNED, "onsite": assessment.source == Source.ONSITE,
            "post": assessment.kind == Kind.POST}
