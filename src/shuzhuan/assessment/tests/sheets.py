"""Answer-sheet builders for the assessment tests (miit-2024 codes)."""

from __future__ import annotations

from typing import Any

from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment.domain.model import IndicatorSet, QuestionType

MIIT = "miit-2024"


def miit() -> IndicatorSet:
    return indicator_sets.load(MIIT)


def zero_answers() -> dict[str, Any]:
    """Every question on its 0-point option A (multi-select: ["A"] = 无)."""
    return {q.code: ["A"] if q.type is QuestionType.MULTI else "A" for q in miit().questions}


def full_answers() -> dict[str, Any]:
    """Every question on its best choice: 100 points."""
    answers: dict[str, Any] = {}
    for q in miit().questions:
        if q.type is QuestionType.MULTI:
            answers[q.code] = [o.letter for o in q.options if not o.none]
        else:
            answers[q.code] = max(q.options, key=lambda o: o.points).letter
    return answers


def answers(**overrides: Any) -> dict[str, Any]:
    return {**zero_answers(), **overrides}


def scenarios(**levels: int) -> dict[str, int]:
    """All 16 scenarios at 0 (未实施) unless given: scenarios(S01=2, S03=2)."""
    return {**{s.code: 0 for s in miit().scenarios}, **levels}


FULL_F = {"F1": ["B", "C", "D", "E"], "F2": "E", "F3": "E", "F4": list("BCDEFGHIJKLMNO"), "F5": "E",
          "F6": ["B", "C", "D", "E"], "F7": ["B", "C", "D", "E"]}  # 8 + 6 + 6 + 10 + 10 + 5 + 5 = 50
FULL_M = {"M1": "F", "M2": ["B", "C", "D", "E"], "M3": ["B", "C", "D", "E", "F"], "M4": "E"}  # 7.5 × 4 = 30
MANDATORY = ["S01", "S03", "S06", "S07", "S08", "S09", "S10", "S11", "S12", "S13"]
OPTIONAL = ["S02", "S04", "S05", "S14", "S15", "S16"]


def rated(level: int, mandatory: int, optional: int, base: int = 0) -> dict[str, int]:
    """`mandatory` 约束性 and `optional` other scenarios at `level`, the rest at `base`."""
    chosen = MANDATORY[:mandatory] + OPTIONAL[:optional]
    return {s.code: (level if s.code in chosen else base) for s in miit().scenarios}
