"""Shared result helpers: score a sheet into its row, and pick each enterprise's official result."""

from __future__ import annotations

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


def official_order() -> list[str]:
    """On-site ratings first, then the newest: the first row per enterprise is its official result."""
    return ["-is_onsite", "-assessed_on", "-id"]


def official_assessments(queryset: QuerySet[Assessment] | None = None) -> QuerySet[Assessment]:
    """Each enterprise's official result: its latest signed on-site rating if any, else its latest
    final self-assessment / import (DESIGN decision 7). One row per enterprise, one query."""
    from django.db.models import Case, IntegerField, Value, When

    base = (queryset if queryset is not None else Assessment.objects.all()).filter(status__in=FINAL_STATUSES)
    ranked = base.annotate(
        is_onsite=Case(When(source=Source.ONSITE, then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    best = ranked.filter(enterprise_id=OuterRef("enterprise_id")).order_by(*official_order()).values("pk")[:1]
    return base.filter(pk=Subquery(best))
