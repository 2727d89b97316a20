"""Shared result helpers: score a sheet into its row, and pick each enterprise's official result."""

from __future__ import annotations

from collections.abc import Iterable

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
