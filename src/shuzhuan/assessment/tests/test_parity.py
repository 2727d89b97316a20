"""One rule, two engines, one answer: the batch engine equals the single-sheet scorer, exactly."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuzhuan.assessment.domain import AssessmentInputError, score
from shuzhuan.assessment.domain.batch import BatchInputError, BatchScorer, milli, sheets_frame
from shuzhuan.assessment.domain.model import MILLI, Question, QuestionType
from shuzhuan.assessment.tests.sheets import answers, miit, scenarios

SET = miit()
ENGINE = BatchScorer(SET)


def spelled(letters: list[str], draw) -> str | list[str]:
    """A list, or a cell string in canonical or odd spelling (order, case, spaces, 、 separators)."""
    style = draw(st.sampled_from(["list", "canonical", "odd"]))
    if style == "list":
        return letters
    if style == "canonical":
        return ",".join(sorted(letters))
    odd = draw(st.permutations(letters))
    return draw(st.sampled_from([", ", "，", "、", ","])).join(x.lower() if draw(st.booleans()) else f" {x}" for x in odd)


@st.composite
def answer(draw, question: Question):
    if question.type is QuestionType.MULTI:
        others = [o.letter for o in question.options if not o.none]
        if draw(st.integers(0, 5)) == 0:
            return spelled(["A"], draw)
        return spelled(sorted(draw(st.sets(st.sampled_from(others), min_size=1))), draw)
    return draw(st.sampled_from(question.letters))


@st.composite
def sheet(draw):
    return (
        {q.code: draw(answer(q)) for q in SET.questions},
        {s.code: draw(st.integers(0, 4)) for s in SET.scenarios},
    )


def assert_same(row: dict, single) -> None:
    assert row["score_milli"] == single.score * MILLI
    assert row["level"] == single.level
    for code, points in {**single.dimensions, **single.second_levels, **single.indicators}.items():
        assert row[milli(code)] == points * MILLI, code


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sheet(), min_size=1, max_size=25))
def test_batch_equals_single(sheets):
    rows = ENGINE.score(sheets_frame(SET, sheets)).rows(named=True)
    for (answers_, levels), row in zip(sheets, rows, strict=True):
        assert_same(row, score(SET, answers_, levels, explain=False))


@pytest.mark.parametrize("levels", [{}, {"S01": 4, "S03": 4, "S06": 4}])
def test_batch_equals_single_on_level_edges(levels):
    from shuzhuan.assessment.tests.test_scoring import SCORE_19_75, SCORE_20, SCORE_40, SCORE_60, SCORE_80

    sheets = [(answers(**s), scenarios(**{c: 4 for c in ("S02", "S04", "S05")}, **levels))
              for s in (SCORE_19_75, SCORE_20, SCORE_40, SCORE_60, SCORE_80)]
    for (a, sc), row in zip(sheets, ENGINE.score(sheets_frame(SET, sheets)).rows(named=True), strict=True):
        assert_same(row, score(SET, a, sc))


def test_batch_reports_the_same_errors_as_single():
    bad = [
        (answers(F1="A,B", F2="X", F5="B,C", F6=" b , b"), scenarios(S01=7)),
        (answers(F7=None), {**scenarios(), "S02": None}),
        (answers(), scenarios()),
    ]
    found = ENGINE.find_errors(sheets_frame(SET, bad))
    for i, (a, sc) in enumerate(bad):
        expected = []
        try:
            score(SET, a, sc)
        except AssessmentInputError as exc:
            expected = sorted((e.field, e.message) for e in exc.errors)
        assert sorted(found.filter(pl.col("row") == i).select("field", "message").rows()) == expected
    with pytest.raises(BatchInputError):
        ENGINE.score(sheets_frame(SET, bad))


def test_unchecked_invalid_row_scores_null():
    frame = sheets_frame(SET, [(answers(F2="X"), scenarios()), (answers(), scenarios())])
    out = ENGINE.score(frame, check=False)
    assert out["score_milli"].to_list() == [None, 0] and out["level"].to_list() == [None, 0]


def test_frame_shape_is_checked():
    frame = sheets_frame(SET, [(answers(), scenarios())])
    with pytest.raises(ValueError, match="missing columns: F3"):
        ENGINE.score(frame.drop("F3"))
    with pytest.raises(ValueError, match="S01"):
        ENGINE.score(frame.with_columns(pl.col("S01").cast(pl.String)))
