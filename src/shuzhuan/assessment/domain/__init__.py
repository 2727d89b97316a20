"""Pure assessment rules (no Django, no I/O): indicator sets, the single-sheet scorer, the batch engine.

- `model`: indicator sets as frozen dataclasses, parsed and checked from a data file's mapping.
- `scoring`: `score()` for one sheet with an explanation in Chinese; `classify()` for result-only rows.
- `levels`: the level rule and the gap to the next level.
- `figures`: band questions computed from raw figures.
- `batch`: the same definitions compiled to polars expressions for many sheets at once.
"""

from shuzhuan.assessment.domain.errors import AssessmentInputError, FieldError
from shuzhuan.assessment.domain.model import IndicatorSet, IndicatorSetError, parse_indicator_set
from shuzhuan.assessment.domain.scoring import Result, classify, score, validate

__all__ = [
    "AssessmentInputError", "FieldError", "IndicatorSet", "IndicatorSetError", "Result", "classify",
    "parse_indicator_set", "score", "validate",
]
