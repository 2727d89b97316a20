"""One request shape for the API and the CLI: a JSON object in, the result (or the error envelope) out.

Scores leave as JSON numbers: `Decimal` → int or float at the very edge. Every score has at most
three decimals and a few digits, so the float's shortest text is the exact decimal.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment.domain.errors import AssessmentInputError, FieldError
from shuzhuan.assessment.domain.scoring import SHEET_KINDS, Result, classify, score

FIELDS = {"indicator_set", "answers", "scenarios", "figures", "partial", "kind", "score"}
INVALID = {"code": "invalid", "message": "评测数据有误"}


def json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def result_json(result: Result) -> dict[str, Any]:
    def numbers(mapping: Mapping[str, Decimal]) -> dict[str, int | float]:
        return {k: json_number(v) for k, v in mapping.items()}

    return {
        "indicator_set": result.indicator_set,
        "version": result.version,
        "score": json_number(result.score),
        "dimensions": numbers(result.dimensions),
        "second_levels": numbers(result.second_levels),
        "indicators": numbers(result.indicators),
        "scenario_levels": dict(result.scenario_levels),
        "level": result.level,
        "partial": result.partial,
        "explanation": list(result.explanation),
    }


def error_json(exc: AssessmentInputError) -> dict[str, Any]:
    return {**INVALID, "errors": [e.as_dict() for e in exc.errors]}


def _object(body: Mapping[str, Any], key: str, errors: list[FieldError]) -> dict[str, Any]:
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.append(FieldError(key, "应为 JSON 对象"))
        return {}
    return value


def evaluate(body: Any) -> dict[str, Any]:
    """Score a request body; raise `AssessmentInputError` naming each offending field."""
    if not isinstance(body, dict):
        raise AssessmentInputError([FieldError("body", _("应为 JSON 对象"))])
    errors = [FieldError(key, "未知字段") for key in body if key not in FIELDS]
    set_id = body.get("indicator_set") or indicator_sets.DEFAULT
    try:
        indicator_set = indicator_sets.load(str(set_id))
    except indicator_sets.UnknownIndicatorSet:
        errors.append(FieldError("indicator_set", f"未知的指标体系（可用：{'、'.join(indicator_sets.available())}）"))
        raise AssessmentInputError(errors) from None
    answers, scenarios, figures = (_object(body, key, errors) for key in ("answers", "scenarios", "figures"))
    partial, kind = body.get("partial", False), body.get("kind", SHEET_KINDS[0])
    if not isinstance(partial, bool):
        errors.append(FieldError("partial", "应为 true 或 false"))
    if kind not in SHEET_KINDS:
        errors.append(FieldError("kind", f"应为 {' / '.join(SHEET_KINDS)} 之一"))
    if errors:
        raise AssessmentInputError(errors)
    if not indicator_set.questions:
        return result_json(classify(indicator_set, _score_only(body)))
    return result_json(score(indicator_set, answers, scenarios, partial, figures=figures, kind=kind))


def _score_only(body: Mapping[str, Any]) -> Decimal:
    raw = body.get("score")
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise AssessmentInputError([FieldError("score", _("该指标体系只按总分评定等级，请提供 score"))])
    try:
        return Decimal(str(raw))
    except ArithmeticError:
        raise AssessmentInputError([FieldError("score", _("应为数值"))]) from None
