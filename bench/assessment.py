"""Batch scoring vs the single-sheet scorer in a loop, on the same random valid sheets.

N sheets (SHUZHUAN_BENCH_SHEETS, default 1,000,000) are generated once as the batch input frame
(multi-select cells as "B,D"). The batch path validates and scores them all; the loop path calls
`score(..., explain=False)` (the same code without the explanation, DESIGN decision 9) on the first
SHUZHUAN_BENCH_LOOP_SAMPLE rows (default 20,000), read from the same frame, and its rate is
extrapolated. Both sides validate their input. Peak memory is the batch run's (tracemalloc: the
Python heap, not polars' native buffers, so it is reported as such).
"""

from __future__ import annotations

import itertools
import os
import random
import time

import polars as pl

from bench._util import measure
from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment.domain.batch import BatchScorer
from shuzhuan.assessment.domain.model import SEPARATOR, IndicatorSet, Question, QuestionType
from shuzhuan.assessment.domain.scoring import score

NAME = "assessment"
SEED = 2024


def _cells(question: Question) -> list[str]:
    """Every valid cell of a question: one letter, or for multi-select the none-option alone or any non-empty subset."""
    if question.type is not QuestionType.MULTI:
        return list(question.letters)
    nones = [o.letter for o in question.options if o.none]
    others = [o.letter for o in question.options if not o.none]
    subsets = (SEPARATOR.join(c) for n in range(1, len(others) + 1) for c in itertools.combinations(others, n))
    return nones + list(subsets)


def random_frame(indicator_set: IndicatorSet, n: int, seed: int = SEED) -> pl.DataFrame:
    rng = random.Random(seed)
    levels = list(range(indicator_set.scenario_level_min, indicator_set.scenario_level_max + 1))
    columns: dict[str, pl.Series] = {q.code: pl.Series(q.code, rng.choices(_cells(q), k=n), pl.String) for q in indicator_set.questions}
    columns |= {s.code: pl.Series(s.code, rng.choices(levels, k=n), pl.Int8) for s in indicator_set.scenarios}
    return pl.DataFrame(columns)


def run() -> dict:
    n = int(os.environ.get("SHUZHUAN_BENCH_SHEETS", "1000000"))
    sample = min(n, int(os.environ.get("SHUZHUAN_BENCH_LOOP_SAMPLE", "20000")))
    indicator_set = indicator_sets.load()
    t0 = time.perf_counter()
    frame = random_frame(indicator_set, n)
    generate_s = time.perf_counter() - t0

    scored, batch_s, peak = measure(lambda: BatchScorer(indicator_set).score(frame))

    question_codes = list(indicator_set.question_index)
    scenario_codes = list(indicator_set.scenario_index)
    rows = frame.head(sample).rows(named=True)
    sheets = [({c: row[c] for c in question_codes}, {c: row[c] for c in scenario_codes}) for row in rows]
    t0 = time.perf_counter()
    looped = [score(indicator_set, answers, scenarios, explain=False) for answers, scenarios in sheets]
    loop_s = time.perf_counter() - t0

    head = scored.head(sample)
    mismatches = sum(
        r.level != lvl or r.score * 1000 != total for r, lvl, total in zip(looped, head["level"], head["score_milli"], strict=True)
    )
    batch_rate = n / batch_s
    loop_rate = sample / loop_s
    return {
        "sheets": n,
        "generate_s": round(generate_s, 2),
        "batch_s": round(batch_s, 3),
        "batch_sheets_per_s": round(batch_rate),
        "loop_sample": sample,
        "loop_s": round(loop_s, 3),
        "loop_sheets_per_s": round(loop_rate),
        "ratio": round(batch_rate / loop_rate, 1),
        "target_ratio": 50,
        "parity_mismatches_in_sample": mismatches,
        "batch_peak_python_heap_mb": round(peak / 2**20, 1),
    }
