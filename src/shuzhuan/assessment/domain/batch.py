"""The batch engine: an indicator set compiled to polars expressions that score many sheets at once.

Input frame: one row per sheet, one column per question code and per scenario code (other columns
such as an enterprise id pass through untouched).
- every question column is a string: one option letter ("C") for single-choice and band questions,
  letters separated by commas ("B,D") for multiple choice, the bulk XLSX cell format of DESIGN
  decision 7; build a frame from API-style answers with `sheets_frame`;
- scenario columns are integers 0–4.

How: `BatchScorer(indicator_set)` compiles each question to an expression from its definition: a
when/then chain over the letters of a single choice, a look-up table of every canonical spelling
("B,D", letters in order) for a multiple choice. Cells spelt otherwise (" d，b ", lower case) or
invalid are few: each distinct one is read once by the single-sheet scorer's `read_cell`, so both
engines read a cell alike and report the same messages. Sums per second-level indicator, dimension
and total, and the level rule (scenario counts per level, mandatory counts, score thresholds), are
expressions built from the same definitions.

Output columns, all points as exact integer milli-points (Int64; 1.875 分 = 1875):
`score_milli`, one `<dimension>_milli` per dimension (F, M, R), one `<second level>_milli` per
second-level indicator (F.equipment, …), one `<question>_milli` per question, and `level` (Int8,
0 = no level). The numbers equal the single-sheet scorer's exactly (tests/test_parity.py).

`find_errors` lists invalid cells long-form (row, field, message) for row-and-column reports.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from shuzhuan.assessment.domain import errors as msg
from shuzhuan.assessment.domain.model import SEPARATOR, IndicatorSet, Question, QuestionType
from shuzhuan.assessment.domain.scoring import question_points, read_cell

LEVEL = "level"
SCORE = "score_milli"
MAX_ENUMERATED_OPTIONS = 16  # a multiple choice with more options is read cell by cell instead


class BatchInputError(ValueError):
    """Some cells are invalid; `errors` is a frame of (row, field, message)."""

    def __init__(self, errors: pl.DataFrame):
        self.errors = errors
        super().__init__(f"{errors.height} invalid cell(s), first: {errors.head(3).rows()}")


def milli(code: str) -> str:
    return f"{code}_milli"


def _sum(columns: list[str]) -> pl.Expr:
    """Sum of columns, null when any is null (an invalid cell leaves its totals undefined)."""
    return pl.sum_horizontal([pl.col(c) for c in columns], ignore_nulls=False)


def canonical_cells(question: Question) -> dict[str, int]:
    """Every valid cell in its canonical spelling → points: each letter; for a multiple choice also
    every combination of the other options, letters in order ("B,D")."""
    cells = {o.letter: o.points for o in question.options}
    others = [o for o in question.options if not o.none]
    if question.type is QuestionType.MULTI and len(others) <= MAX_ENUMERATED_OPTIONS:
        for n in range(2, len(others) + 1):
            for combo in itertools.combinations(others, n):
                cells[SEPARATOR.join(o.letter for o in combo)] = sum(o.points for o in combo)
    return cells


def _points_expr(question: Question, cells: Mapping[str, int]) -> pl.Expr:
    col = pl.col(question.code)
    if question.type is QuestionType.MULTI:
        return col.replace_strict(cells, default=None, return_dtype=pl.Int64)
    chain: Any = pl
    for letter, points in cells.items():
        chain = chain.when(col == letter).then(pl.lit(points, dtype=pl.Int64))
    result: pl.Expr = chain.otherwise(pl.lit(None, dtype=pl.Int64))  # a when/then chain built in a loop
    return result


class BatchScorer:
    """An indicator set compiled once, then applied to any number of frames."""

    def __init__(self, indicator_set: IndicatorSet):
        self.indicator_set = indicator_set
        self.questions = indicator_set.questions
        self.scenario_codes = [s.code for s in indicator_set.scenarios]
        self.points = {q.code: _points_expr(q, canonical_cells(q)) for q in self.questions}
        self.totals = self._totals()
        self.level = self._level()

    def _totals(self) -> list[list[pl.Expr]]:
        """Second-level sums, then dimension sums, then the total (three dependent steps)."""
        s = self.indicator_set
        seconds = [
            _sum([milli(q.code) for q in self.questions if q.second_level == sl.code]).alias(milli(sl.code))
            for sl in s.second_levels
        ]
        dims = [
            _sum([milli(sl.code) for sl in s.second_levels if sl.dimension == d.code]).alias(milli(d.code))
            for d in s.dimensions
        ]
        total = _sum([milli(d.code) for d in s.dimensions]).alias(SCORE)
        return [seconds, dims, [total]]

    def _count(self, at_least: int, mandatory_only: bool) -> pl.Expr:
        codes = [sc.code for sc in self.indicator_set.scenarios if sc.mandatory or not mandatory_only]
        return pl.sum_horizontal([pl.col(c) >= at_least for c in codes]) if codes else pl.lit(0)

    def _level(self) -> pl.Expr:
        """The level rule as one expression: the highest level whose conditions hold, else 0."""
        rule = self.indicator_set.level_rule
        gate = _sum([milli(d) for d in rule.score_dimensions]) if rule.score_dimensions else pl.col(SCORE)
        chain: Any = pl.when(gate.is_null()).then(pl.lit(None, dtype=pl.Int8))
        for req in reversed(rule.levels):
            cond = gate >= req.min_score
            if req.min_scenarios:
                cond = cond & (self._count(req.scenario_level, False) >= req.min_scenarios)
            if req.min_mandatory:
                cond = cond & (self._count(req.scenario_level, True) >= req.min_mandatory)
            chain = chain.when(cond).then(pl.lit(req.level, dtype=pl.Int8))
        level: pl.Expr = chain.otherwise(pl.lit(0, dtype=pl.Int8)).alias(LEVEL)
        return level

    def _check_columns(self, frame: pl.DataFrame) -> None:
        missing = [c for c in (*self.indicator_set.question_index, *self.scenario_codes) if c not in frame.columns]
        if missing:
            raise ValueError(f"missing columns: {', '.join(missing)}")
        not_text = [q.code for q in self.questions if frame.schema[q.code] not in (pl.String, pl.Null)]
        not_int = [c for c in self.scenario_codes if not frame.schema[c].is_integer()]
        if not_text or not_int:
            raise ValueError(f"question columns must be strings, scenario columns integers: {', '.join(not_text + not_int)}")

    def _read(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, dict[str, str]]]:
        """Frame + one points column per question; unusual cells read one distinct value at a time.
        Returns the frame and, per question, the error message of each invalid cell value."""
        self._check_columns(frame)
        read = frame.with_columns(self.points[q.code].alias(milli(q.code)) for q in self.questions)
        odd = read.select(
            pl.col(q.code).filter(pl.col(milli(q.code)).is_null()).drop_nulls().unique().implode() for q in self.questions
        ).row(0)
        patches, errors = [], {}
        for question, values in zip(self.questions, odd, strict=True):
            extra, bad = {}, {}
            for value in values:
                letters, error = read_cell(question, value)
                if letters is None:
                    bad[value] = error or msg.MISSING_ANSWER
                else:
                    extra[value] = question_points(question, letters)
            if extra:
                column = milli(question.code)
                patch = pl.col(question.code).replace_strict(extra, default=None, return_dtype=pl.Int64)
                patches.append(pl.coalesce(pl.col(column), patch).alias(column))
            errors[question.code] = bad
        return (read.with_columns(patches) if patches else read), errors

    def _errors(self, read: pl.DataFrame, bad: Mapping[str, Mapping[str, str]]) -> pl.DataFrame:
        low, high = self.indicator_set.scenario_level_min, self.indicator_set.scenario_level_max
        checks = [
            pl.when(pl.col(q.code).is_null()).then(pl.lit(msg.MISSING_ANSWER))
            .when(pl.col(milli(q.code)).is_null())
            .then(pl.col(q.code).replace_strict(bad[q.code], default=None, return_dtype=pl.String))
            .alias(f"answers.{q.code}")
            for q in self.questions
        ]
        checks += [
            pl.when(pl.col(c).is_null()).then(pl.lit(msg.MISSING_SCENARIO))
            .when((pl.col(c) < low) | (pl.col(c) > high)).then(pl.lit(msg.scenario_range(low, high)))
            .alias(f"scenarios.{c}")
            for c in self.scenario_codes
        ]
        return (
            read.lazy().select(checks).with_row_index("row")
            .filter(pl.any_horizontal(pl.exclude("row").is_not_null()))
            .unpivot(index="row", variable_name="field", value_name="message")
            .drop_nulls("message").sort("row", "field", maintain_order=True)
            .collect()
        )

    def find_errors(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Every invalid cell as (row, field, message); an empty frame when all rows are valid."""
        return self._errors(*self._read(frame))

    def score(self, frame: pl.DataFrame, check: bool = True) -> pl.DataFrame:
        """Score every row; with `check`, raise `BatchInputError` listing invalid cells first
        (without it, an invalid cell scores null, and so do its row's subtotals, total and level)."""
        read, bad = self._read(frame)
        if check:
            found = self._errors(read, bad)
            if found.height:
                raise BatchInputError(found)
        lazy = read.lazy()
        for step in self.totals:
            lazy = lazy.with_columns(step)
        return lazy.with_columns(self.level).collect()


def sheets_frame(indicator_set: IndicatorSet, sheets: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> pl.DataFrame:
    """API-style (answers, scenarios) pairs → the batch input frame (lists joined as "B,D")."""

    def cell(raw: Any) -> Any:
        return SEPARATOR.join(raw) if isinstance(raw, list | tuple) else raw

    rows = [
        [cell(answers.get(q.code)) for q in indicator_set.questions] + [scenarios.get(s.code) for s in indicator_set.scenarios]
        for answers, scenarios in sheets
    ]
    schema = {**dict.fromkeys(indicator_set.question_index, pl.String), **dict.fromkeys(indicator_set.scenario_index, pl.Int64)}
    return pl.DataFrame(rows, schema=schema, orient="row")
