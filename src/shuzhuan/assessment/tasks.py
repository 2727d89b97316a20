"""Assessment background jobs: the bulk import (validate, then import) and the batch re-scoring.

Run through `shuzhuan.core.jobs` (a `Job` row with progress); the uploaded file lives under the
private media root. The job's owner is the actor: a town officer's rows are held to their town.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from shuzhuan.assessment import imports, indicator_sets
from shuzhuan.assessment.domain.batch import LEVEL, SCORE, BatchScorer, milli, sheets_frame
from shuzhuan.assessment.domain.errors import AssessmentInputError
from shuzhuan.assessment.domain.model import IndicatorSet, to_points
from shuzhuan.assessment.domain.scoring import classify
from shuzhuan.assessment.models import FINAL_STATUSES, Assessment, Source
from shuzhuan.assessment.results import apply_score
from shuzhuan.core import jobs
from shuzhuan.core.models import Job
from shuzhuan.registry.imports.flow import ImportFlow

VALIDATE = "assessment.import.validate"
IMPORT = "assessment.import.run"
RESCORE = "assessment.rescore"
RESCORE_CHUNK = 5000
RESULT_FIELDS = ["version", "score", "level", "dimensions", "second_levels", "indicators", "explanation", "updated_at"]
FLOW = ImportFlow(imports.import_file, "assessment:stats", "导入完成：新增 {created} 份，替换 {updated} 份评测结果")
validate_work, import_work = FLOW.validate_work, FLOW.import_work


@task()
def validate_import(job_id: str) -> dict[str, Any]:
    return jobs.run(job_id, validate_work)


@task()
def run_import(job_id: str) -> dict[str, Any]:
    return jobs.run(job_id, import_work)


# --- batch re-scoring ------------------------------------------------------------------------------------


def _batch_result(indicator_set: IndicatorSet, scored: Any, index: int) -> dict[str, Any] | None:
    total = scored[SCORE][index]
    if total is None:
        return None
    return {
        "version": indicator_set.version, "score": to_points(total), "level": int(scored[LEVEL][index]),
        "dimensions": {d.code: str(to_points(scored[milli(d.code)][index])) for d in indicator_set.dimensions},
        "second_levels": {s.code: str(to_points(scored[milli(s.code)][index])) for s in indicator_set.second_levels},
        "indicators": {q.code: str(to_points(scored[milli(q.code)][index])) for q in indicator_set.questions},
    }


def _differs(row: dict[str, Any], new: dict[str, Any]) -> bool:
    old_score = Decimal(row["score"]) if row["score"] is not None else None
    if old_score != new["score"] or row["level"] != new["level"] or row["version"] != new["version"]:
        return True
    return any(
        {k: Decimal(v) for k, v in (row[name] or {}).items()} != {k: Decimal(v) for k, v in new[name].items()}
        for name in ("dimensions", "second_levels", "indicators") if name in new
    )


def rescore(set_id: str, progress: Any = None) -> dict[str, Any]:
    """Re-score every final assessment of an indicator set with the batch engine; store what changed.

    Sheets are read in primary-key chunks; a sheet the batch engine cannot read (answers given as raw
    figures) goes through the single-sheet scorer; a sheet that is invalid under the current set is
    left as it is and counted. Result-only rows of a score-bands set are classified again."""
    indicator_set = indicator_sets.load(set_id)
    scorer = BatchScorer(indicator_set) if indicator_set.questions else None
    queryset = Assessment.objects.filter(indicator_set=set_id, status__in=FINAL_STATUSES)
    if indicator_set.questions:
        queryset = queryset.exclude(source=Source.RESULT_ONLY)
    total = queryset.count()
    fields = ["pk", "answers", "scenarios", "figures", "kind", *RESULT_FIELDS[:-2]]
    checked = changed = level_changed = invalid = 0
    examples: list[str] = []
    last = 0
    now = timezone.now()
    with transaction.atomic():
        while True:
            rows = list(queryset.filter(pk__gt=last).order_by("pk").values(*fields)[:RESCORE_CHUNK])
            if not rows:
                break
            last = rows[-1]["pk"]
            scored = None
            if scorer is not None:
                frame = sheets_frame(indicator_set, ((r["answers"] or {}, r["scenarios"] or {}) for r in rows))
                scored = scorer.score(frame, check=False)
            updates = []
            for index, row in enumerate(rows):
                new = _new_result(indicator_set, scored, index, row)
                checked += 1
                if new is None:
                    invalid += 1
                    if len(examples) < 20:
                        examples.append(f"评测 #{row['pk']}：按当前指标体系无法计分（答卷不完整或含无效选项），保留原结果")
                    continue
                if not _differs(row, new):
                    continue
                changed += 1
                level_changed += row["level"] != new["level"]
                obj = Assessment(pk=row["pk"], explanation=new.pop("explanation", []), updated_at=now, **new)
                updates.append(obj)
            if updates:
                Assessment.objects.bulk_update(updates, RESULT_FIELDS, batch_size=1000)
            if progress:
                progress(checked, total, f"已重算 {checked} 份，结果变化 {changed} 份")
    return {"checked": checked, "changed": changed, "level_changed": level_changed, "invalid": invalid,
            "examples": examples, "indicator_set": set_id, "version": indicator_set.version}


def _new_result(indicator_set: IndicatorSet, scored: Any, index: int, row: dict[str, Any]) -> dict[str, Any] | None:
    if scored is None:  # a score-bands set: the level from the stored score
        if row["score"] is None:
            return None
        try:
            result = classify(indicator_set, Decimal(row["score"]))
        except AssessmentInputError:
            return None
        return {"version": indicator_set.version, "score": result.score, "level": result.level,
                "explanation": list(result.explanation)}
    new = _batch_result(indicator_set, scored, index)
    if new is None and row["figures"]:
        sheet = Assessment(indicator_set=indicator_set.id, answers=row["answers"] or {}, scenarios=row["scenarios"] or {},
                           figures=row["figures"], kind=row["kind"])
        try:
            apply_score(sheet)
        except AssessmentInputError:
            return None
        return {"version": sheet.version, "score": sheet.score, "level": sheet.level, "dimensions": sheet.dimensions,
                "second_levels": sheet.second_levels, "indicators": sheet.indicators, "explanation": sheet.explanation}
    return new


def rescore_work(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    set_id = job.params.get("indicator_set", "")
    try:
        indicator_sets.load(set_id)
    except indicator_sets.UnknownIndicatorSet:
        raise jobs.JobFailed(_("未知的指标体系：%(set_id)s") % {"set_id": set_id}) from None
    result = rescore(set_id, progress)
    result["message"] = (
        f"重算完成：{result['checked']} 份评测，结果变化 {result['changed']} 份（其中等级变化 {result['level_changed']} 份）"
        + (f"，{result['invalid']} 份无法按当前指标体系计分、保留原结果" if result["invalid"] else "")
    )
    result["done"] = result["total"] = result["checked"]
    return result


@task()
def run_rescore(job_id: str) -> dict[str, Any]:
    return jobs.run(job_id, rescore_work)
