"""The single-sheet scorer: answers in, points, subtotals, level and an explanation in words out.

`score(..., explain=False)` is the same computation without building the explanation: the loop
side of the benchmark (DESIGN decision 9) and any caller that only needs the numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from shuzhuan.assessment.domain import errors as msg
from shuzhuan.assessment.domain import levels as lv
from shuzhuan.assessment.domain.errors import AssessmentInputError, FieldError
from shuzhuan.assessment.domain.figures import Derived, derive, parse_figure
from shuzhuan.assessment.domain.model import (
    SEPARATOR,
    IndicatorSet,
    Question,
    QuestionType,
    format_points,
    normalise_letters,
    to_points,
)

SHEET_KINDS = ("baseline", "post", "periodic")  # 基线（改造前）/ 改造后 / 定期
BASELINE = SHEET_KINDS[0]


@dataclass(frozen=True)
class Result:
    indicator_set: str
    version: str
    score: Decimal
    dimensions: Mapping[str, Decimal]
    second_levels: Mapping[str, Decimal]
    indicators: Mapping[str, Decimal]
    scenario_levels: Mapping[str, int]
    level: int | None  # None in partial mode; 0 when not even the first level is reached
    partial: bool = False
    explanation: tuple[str, ...] = ()
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Sheet:
    """Validated answers: letters per question, a level per scenario, bands derived from figures."""

    choices: dict[str, tuple[str, ...]]
    scenario_levels: dict[str, int]
    derived: dict[str, Derived]


def read_cell(question: Question, raw: Any) -> tuple[tuple[str, ...] | None, str | None]:
    """One answer → (its letters, None), (None, None) when unanswered, or (None, the error message).

    The batch engine calls this too, once per distinct cell value, so both engines read a cell alike.
    """
    if raw is None:
        return None, None
    if isinstance(raw, str):
        parts = [p for p in normalise_letters(raw).split(SEPARATOR) if p]
    elif isinstance(raw, list | tuple):
        if not all(isinstance(p, str) for p in raw):
            return None, "选项应为字母，如 \"B\""
        parts = [p.strip().upper() for p in raw]
    else:
        return None, "答案应为选项字母（单选）或字母列表（多选）"
    if not parts:
        return None, None
    options = question.option_index
    unknown = [p for p in parts if p not in options]
    if unknown:
        return None, f"{msg.UNKNOWN_OPTION} {'、'.join(unknown)}（可选 {'、'.join(question.letters)}）"
    if len(parts) == 1:
        return (parts[0],), None
    if question.type is not QuestionType.MULTI:
        return None, msg.SINGLE_GOT_MANY
    if len(set(parts)) != len(parts):
        return None, msg.REPEATED_OPTION
    nones = [p for p in parts if options[p].none]
    if nones:
        return None, f"选项 {nones[0]}{msg.NONE_WITH_OTHERS}"
    return tuple(sorted(parts)), None


def _figures(raw: Mapping[str, Any] | None, indicator_set: IndicatorSet, errors: list[FieldError]) -> dict[str, Fraction]:
    known = {f.key for f in indicator_set.figures}
    values: dict[str, Fraction] = {}
    for key, value in (raw or {}).items():
        if key not in known:
            errors.append(FieldError(f"figures.{key}", "未知的填报项"))
        elif value is not None:
            parsed = parse_figure(value)
            if parsed is None:
                errors.append(FieldError(f"figures.{key}", "应为不小于 0 的数值"))
            else:
                values[key] = parsed
    return values


def validate(
    indicator_set: IndicatorSet,
    answers: Mapping[str, Any],
    scenarios: Mapping[str, Any],
    partial: bool = False,
    figures: Mapping[str, Any] | None = None,
) -> Sheet:
    """Check every answer against the set; raise `AssessmentInputError` naming all offending fields."""
    errors: list[FieldError] = []
    choices: dict[str, tuple[str, ...]] = {}
    derived: dict[str, Derived] = {}
    questions = indicator_set.question_index
    for code, raw in answers.items():
        question = questions.get(code)
        if question is None:
            errors.append(FieldError(f"answers.{code}", msg.UNKNOWN_CODE))
            continue
        letters, error = read_cell(question, raw)
        if error is not None:
            errors.append(FieldError(f"answers.{code}", error))
        elif letters is not None:
            choices[code] = letters
    if figures:
        values = _figures(figures, indicator_set, errors)
        for question in indicator_set.questions:
            found = derive(question, values, errors)
            if found is None:
                continue
            derived[question.code] = found
            given = choices.get(question.code)
            if given is None:
                choices[question.code] = (found.letter,)
            elif given != (found.letter,):
                errors.append(FieldError(f"answers.{question.code}", f"与填报数据计算出的档位 {found.letter} 不一致"))
    levels: dict[str, int] = {}
    low, high = indicator_set.scenario_level_min, indicator_set.scenario_level_max
    for code, raw in scenarios.items():
        where = f"scenarios.{code}"
        if code not in indicator_set.scenario_index:
            errors.append(FieldError(where, msg.UNKNOWN_SCENARIO))
        elif raw is None:
            continue
        elif isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
            errors.append(FieldError(where, msg.scenario_range(low, high)))
        else:
            levels[code] = raw
    if not partial:
        flagged = {e.field for e in errors}
        errors += [
            FieldError(f"answers.{q.code}", msg.MISSING_ANSWER) for q in indicator_set.questions
            if q.code not in choices and f"answers.{q.code}" not in flagged
        ]
        errors += [
            FieldError(f"scenarios.{s.code}", msg.MISSING_SCENARIO) for s in indicator_set.scenarios
            if s.code not in levels and f"scenarios.{s.code}" not in flagged
        ]
    if errors:
        raise AssessmentInputError(errors)
    return Sheet(choices, levels, derived)


def question_points(question: Question, letters: Sequence[str]) -> int:
    options = question.option_index
    return sum(options[letter].points for letter in letters)


def score(
    indicator_set: IndicatorSet,
    answers: Mapping[str, Any],
    scenarios: Mapping[str, Any],
    partial: bool = False,
    *,
    figures: Mapping[str, Any] | None = None,
    kind: str = BASELINE,
    explain: bool = True,
) -> Result:
    """Score one sheet. `kind` (baseline / post / periodic) only changes how R1/R2 are worded."""
    sheet = validate(indicator_set, answers, scenarios, partial, figures)
    indicators = {code: question_points(indicator_set.question_index[code], letters) for code, letters in sheet.choices.items()}
    dimensions = dict.fromkeys((d.code for d in indicator_set.dimensions), 0)
    seconds = dict.fromkeys((s.code for s in indicator_set.second_levels), 0)
    for code, points in indicators.items():
        question = indicator_set.question_index[code]
        dimensions[question.dimension] += points
        seconds[question.second_level] += points
    total = sum(dimensions.values())
    gate = sum(dimensions[d] for d in indicator_set.level_rule.score_dimensions)
    level = None if partial else lv.decide(indicator_set, gate, sheet.scenario_levels)
    explanation: tuple[str, ...] = ()
    if explain:
        explanation = tuple(_explain(indicator_set, sheet, indicators, dimensions, seconds, total, gate, level, kind))
    ordered = {q.code: to_points(indicators[q.code]) for q in indicator_set.questions if q.code in indicators}
    return Result(
        indicator_set=indicator_set.id, version=indicator_set.version, score=to_points(total),
        dimensions={k: to_points(v) for k, v in dimensions.items()},
        second_levels={k: to_points(v) for k, v in seconds.items()},
        indicators=ordered,
        scenario_levels={s.code: sheet.scenario_levels[s.code] for s in indicator_set.scenarios if s.code in sheet.scenario_levels},
        level=level, partial=partial, explanation=explanation, choices=sheet.choices,
    )


def classify(indicator_set: IndicatorSet, total: Decimal, explain: bool = True) -> Result:
    """A result-only row (score from the national system, e.g. 2022 edition): the level by score bands."""
    if indicator_set.level_rule.needs_scenarios:
        raise AssessmentInputError([FieldError("score", f"{indicator_set.title} 的等级还取决于场景，不能只凭得分评定")])
    milli = total * 1000
    if milli != milli.to_integral_value() or not 0 <= milli <= indicator_set.max_points:
        limit = format_points(indicator_set.max_points)
        raise AssessmentInputError([FieldError("score", f"得分应为 0–{limit} 之间、最多 3 位小数的数值")])
    gate = int(milli)
    level = lv.decide(indicator_set, gate, {})
    explanation: list[str] = []
    if explain:
        explanation.append(f"总分 {format_points(gate)} 分（仅有结果的记录，按{indicator_set.title}的等级划分）")
        explanation += _level_lines(indicator_set, gate, {}, level)
    return Result(
        indicator_set=indicator_set.id, version=indicator_set.version, score=to_points(gate), dimensions={},
        second_levels={}, indicators={}, scenario_levels={}, level=level, explanation=tuple(explanation),
    )


# --- explanation -------------------------------------------------------------------------------


def _answer_line(question: Question, letters: tuple[str, ...], points: int, derived: Derived | None, kind: str) -> str:
    options = [question.option(letter) for letter in letters]
    chosen = "、".join(f"{o.letter}「{o.text}」" if len(options) == 1 else o.letter for o in options if o)
    arithmetic = " + ".join(format_points(o.points) for o in options if o)
    sums = f"{arithmetic} = {format_points(points)}" if len(options) > 1 else format_points(points)
    how = f"由填报数据计算（{derived.text}）为 " if derived else "选 "
    line = f"{question.code} {question.text}：{how}{chosen} → {sums} 分（满分 {format_points(question.points)}）"
    if question.comparison:
        periods = question.comparison.get(kind) or question.comparison.get("default", "")
        line += f"；{'基线评测' if kind == BASELINE else '本次评测'}按{periods}比较"
    return line


def _level_lines(indicator_set: IndicatorSet, gate: int, levels: Mapping[str, int], level: int) -> list[str]:
    rule = indicator_set.level_rule
    lines = []
    if level:
        req = rule.requirement(level)
        assert req is not None
        title = f"（{req.title}）" if req.title else ""
        lines.append(f"评定等级：{req.name}{title}——{lv.describe_requirement(indicator_set, req, gate, levels)}")
    else:
        first = rule.levels[0]
        lines.append(f"未达到{first.name}：{lv.describe_requirement(indicator_set, first, gate, levels)}")
    following = rule.requirement(level + 1)
    if following is None:
        lines.append(f"已达到最高等级{indicator_set.level_name(level)}")
    else:
        lines.append(lv.describe_gap(indicator_set, lv.gap(indicator_set, following, gate, levels)))
    if rule.unverified:
        lines.append("注：等级规则取自二手资料，尚未对照工信部正式文件核实")
    return lines


def _explain(
    indicator_set: IndicatorSet, sheet: Sheet, indicators: Mapping[str, int], dimensions: Mapping[str, int],
    seconds: Mapping[str, int], total: int, gate: int, level: int | None, kind: str,
) -> list[str]:
    lines: list[str] = []
    if level is None:
        lines.append(
            f"草稿（部分作答）：已答 {len(indicators)}/{len(indicator_set.questions)} 题，"
            f"已评 {len(sheet.scenario_levels)}/{len(indicator_set.scenarios)} 个场景；"
            f"当前小计 {format_points(total)} 分，全部作答后评定等级"
        )
    parts = " + ".join(f"{d.name} {format_points(dimensions[d.code])}" for d in indicator_set.dimensions)
    lines.append(f"总分 {format_points(total)} 分 = {parts}（满分 {format_points(indicator_set.max_points)}）")
    for d in indicator_set.dimensions:
        subs = "，".join(
            f"{s.name} {format_points(seconds[s.code])}/{format_points(s.points)}"
            for s in indicator_set.second_levels if s.dimension == d.code
        )
        lines.append(f"{d.name} {format_points(dimensions[d.code])}/{format_points(d.points)}：{subs}")
    for q in indicator_set.questions:
        if q.code in indicators:
            lines.append(_answer_line(q, sheet.choices[q.code], indicators[q.code], sheet.derived.get(q.code), kind))
    if sheet.scenario_levels:
        lines.append(_scenario_line(indicator_set, sheet.scenario_levels))
    if level is not None:
        lines += _level_lines(indicator_set, gate, sheet.scenario_levels, level)
    return lines


def _scenario_line(indicator_set: IndicatorSet, levels: Mapping[str, int]) -> str:
    not_done = [indicator_set.scenario_index[c].name for c, v in levels.items() if v == 0]
    counts = []
    for at in range(1, indicator_set.scenario_level_max + 1):
        c = lv.count_at(indicator_set, levels, at)
        above = "" if at == indicator_set.scenario_level_max else "及以上"
        counts.append(f"{indicator_set.scenario_level_labels.get(at, at)}{above} {c.total} 个（约束性 {c.mandatory} 个）")
    line = "场景（不计分）：" + "，".join(counts)
    if not_done:
        line += f"；未实施 {len(not_done)} 个：{'、'.join(not_done)}"
    return line
