"""Indicator sets as immutable values, built from the data files' plain mappings.

Points are held as integer milli-points (1.875 分 → 1875) so sums are exact in both engines;
`to_points` turns them back into `Decimal` at the edge. `parse_indicator_set` checks the set's
internal consistency (codes, letters, option points against the question's maximum, subtotals) so
a broken data file fails when loaded, not while scoring.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import Any

MILLI = 1000
SEPARATOR = ","  # between the letters of a multiple choice in one cell: "B,D" (DESIGN decision 7)
OTHER_SEPARATORS = "[，、;；]"  # also accepted in a cell, as are spaces and lower-case letters


_NOISE = re.compile(r"\s+")
_OTHER = re.compile(OTHER_SEPARATORS)


def normalise_letters(cell: str) -> str:
    """' b，d ' → 'B,D': the one spelling of a cell that the scorer reads."""
    return _NOISE.sub("", _OTHER.sub(SEPARATOR, cell)).upper().strip(SEPARATOR)


class IndicatorSetError(ValueError):
    """The data file of an indicator set is malformed or inconsistent."""


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTI = "multi"
    BAND = "band"  # one letter, also computable from raw figures through `measure`


class RuleKind(StrEnum):
    SCORE_AND_SCENARIOS = "score_and_scenarios"
    SCORE_BANDS = "score_bands"


def to_milli(value: Any, where: str) -> int:
    """A decimal string or integer of points → milli-points; floats are refused (inexact)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise IndicatorSetError(f"{where}: points must be a decimal string or an integer, got {value!r}")
    try:
        milli = Decimal(value) * MILLI
    except InvalidOperation as exc:
        raise IndicatorSetError(f"{where}: not a number: {value!r}") from exc
    if milli != milli.to_integral_value():
        raise IndicatorSetError(f"{where}: more than 3 decimals: {value!r}")
    return int(milli)


@lru_cache(maxsize=65536)
def to_points(milli: int) -> Decimal:
    """Milli-points → Decimal points without trailing zeros (3500 → Decimal('3.5'))."""
    value = Decimal(milli) / MILLI
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def format_points(milli: int) -> str:
    return format(to_points(milli), "f")


@dataclass(frozen=True)
class Interval:
    """A band such as "(10,20]"; bounds may be "inf"/"-inf". Contains-test on exact fractions."""

    low: Fraction | None
    low_closed: bool
    high: Fraction | None
    high_closed: bool
    text: str

    _PATTERN = re.compile(r"^\s*([\[(])\s*(-?inf|-?\d+(?:\.\d+)?)\s*,\s*(-?inf|-?\d+(?:\.\d+)?)\s*([\])])\s*$")

    @classmethod
    def parse(cls, text: str, where: str) -> Interval:
        m = cls._PATTERN.match(text)
        if not m:
            raise IndicatorSetError(f"{where}: band {text!r} is not an interval like '(10,20]'")

        def bound(token: str) -> Fraction | None:
            return None if token.endswith("inf") else Fraction(token)

        return cls(bound(m[2]), m[1] == "[", bound(m[3]), m[4] == "]", text)

    def __contains__(self, value: Fraction) -> bool:
        if self.low is not None and (value < self.low or (value == self.low and not self.low_closed)):
            return False
        return not (self.high is not None and (value > self.high or (value == self.high and not self.high_closed)))


@dataclass(frozen=True)
class Ratio:
    """numerator ÷ denominator (denominator optional: the numerator alone)."""

    numerator: str
    denominator: str | None

    def keys(self) -> tuple[str, ...]:
        return (self.numerator,) if self.denominator is None else (self.numerator, self.denominator)


@dataclass(frozen=True)
class Measure:
    """ratio: current × scale. change: current − previous (only the sign and size matter to bands)."""

    kind: str  # "ratio" | "change"
    current: Ratio
    previous: Ratio | None
    scale: Fraction
    unit: str

    def keys(self) -> tuple[str, ...]:
        return self.current.keys() + (self.previous.keys() if self.previous else ())


@dataclass(frozen=True)
class Option:
    letter: str
    text: str
    points: int  # milli-points
    none: bool = False  # the exclusive 无 option of a multiple-choice question
    band: Interval | None = None


@dataclass(frozen=True)
class Question:
    code: str
    dimension: str
    second_level: str
    indicator: str
    text: str
    type: QuestionType
    points: int  # maximum, milli-points
    options: tuple[Option, ...]
    help: str = ""
    note: str = ""
    unverified: bool = False
    measure: Measure | None = None
    comparison: Mapping[str, str] | None = None  # sheet kind → the periods compared (R1, R2)
    option_index: Mapping[str, Option] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "option_index", {o.letter: o for o in self.options})

    def option(self, letter: str) -> Option | None:
        return self.option_index.get(letter)

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple(o.letter for o in self.options)


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    short_name: str
    points: int


@dataclass(frozen=True)
class SecondLevel:
    code: str
    dimension: str
    name: str
    points: int


@dataclass(frozen=True)
class Scenario:
    code: str
    name: str
    group: str
    mandatory: bool
    levels: Mapping[int, str]
    note: str = ""
    unverified: bool = False


@dataclass(frozen=True)
class LevelRequirement:
    level: int
    name: str
    title: str
    min_score: int  # milli-points
    scenario_level: int = 0  # a scenario counts when rated at or above this
    min_scenarios: int = 0
    min_mandatory: int = 0


@dataclass(frozen=True)
class LevelRule:
    kind: RuleKind
    score_dimensions: tuple[str, ...]
    levels: tuple[LevelRequirement, ...]  # ascending by level
    note: str = ""
    unverified: bool = False
    below_first_level: str = ""  # level 0's name, stated by the data file (`below_first_level`, required)

    @property
    def needs_scenarios(self) -> bool:
        return any(r.min_scenarios or r.min_mandatory for r in self.levels)

    def requirement(self, level: int) -> LevelRequirement | None:
        return next((r for r in self.levels if r.level == level), None)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str


@dataclass(frozen=True)
class IndicatorSet:
    id: str
    title: str
    version: str
    effective_from: dt.date
    effective_until: dt.date | None
    source: Mapping[str, Any]
    max_points: int
    dimensions: tuple[Dimension, ...]
    second_levels: tuple[SecondLevel, ...]
    questions: tuple[Question, ...]
    scenarios: tuple[Scenario, ...]
    scenario_level_min: int
    scenario_level_max: int
    scenario_level_labels: Mapping[int, str]
    figures: tuple[Figure, ...]
    level_rule: LevelRule
    question_index: Mapping[str, Question] = field(init=False, repr=False, compare=False)
    scenario_index: Mapping[str, Scenario] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "question_index", {q.code: q for q in self.questions})
        object.__setattr__(self, "scenario_index", {s.code: s for s in self.scenarios})

    def question(self, code: str) -> Question | None:
        return self.question_index.get(code)

    def scenario(self, code: str) -> Scenario | None:
        return self.scenario_index.get(code)


    def level_name(self, level: int) -> str:
        req = self.level_rule.requirement(level)
        return req.name if req else self.level_rule.below_first_level

    @property
    def level_names(self) -> tuple[str, ...]:
        """Names by level, index 0 (below the first level) to the highest: the one vocabulary."""
        return (self.level_rule.below_first_level, *(r.name for r in self.level_rule.levels))


def _req(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise IndicatorSetError(f"{where}: missing '{key}'")
    return data[key]


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise IndicatorSetError(f"{where}: not a date: {value!r}") from exc


def _ratio(data: Mapping[str, Any]) -> Ratio:
    return Ratio(numerator=str(data["numerator"]), denominator=data.get("denominator"))


def _measure(data: Mapping[str, Any], where: str) -> Measure:
    kind = _req(data, "kind", where)
    if kind == "ratio":
        current, previous = _ratio(data), None
    elif kind == "change":
        current, previous = _ratio(_req(data, "current", where)), _ratio(_req(data, "previous", where))
    else:
        raise IndicatorSetError(f"{where}: unknown measure kind {kind!r}")
    return Measure(kind, current, previous, Fraction(str(data.get("scale", 1))), str(data.get("unit", "")))


def _question(data: Mapping[str, Any], figures: set[str]) -> Question:
    code = str(_req(data, "code", "question"))
    where = f"question {code}"
    try:
        qtype = QuestionType(_req(data, "type", where))
    except ValueError as exc:
        raise IndicatorSetError(f"{where}: unknown type {data['type']!r}") from exc
    options = tuple(
        Option(
            letter=str(_req(o, "letter", where)),
            text=str(_req(o, "text", where)),
            points=to_milli(_req(o, "points", where), f"{where} option {o['letter']}"),
            none=bool(o.get("none", False)),
            band=Interval.parse(o["band"], f"{where} option {o['letter']}") if "band" in o else None,
        )
        for o in _req(data, "options", where)
    )
    measure = _measure(data["measure"], where) if "measure" in data else None
    question = Question(
        code=code, dimension=str(_req(data, "dimension", where)), second_level=str(_req(data, "second_level", where)),
        indicator=str(data.get("indicator", "")), text=str(_req(data, "text", where)), type=qtype,
        points=to_milli(_req(data, "points", where), where), options=options, help=str(data.get("help", "")),
        note=str(data.get("note", "")), unverified=bool(data.get("unverified", False)), measure=measure,
        comparison=data.get("comparison"),
    )
    _check_question(question, figures)
    return question


def _check_question(q: Question, figures: set[str]) -> None:
    where = f"question {q.code}"
    letters = q.letters
    if not letters or len(set(letters)) != len(letters):
        raise IndicatorSetError(f"{where}: options missing or letters repeated")
    if any(o.points < 0 or o.points > q.points for o in q.options):
        raise IndicatorSetError(f"{where}: an option's points exceed the question's {format_points(q.points)}")
    if q.type is QuestionType.MULTI:
        if sum(o.points for o in q.options) != q.points:
            raise IndicatorSetError(f"{where}: the options' points do not add up to the question's points")
        if any(o.none and o.points for o in q.options):
            raise IndicatorSetError(f"{where}: the none-option must carry 0 points")
    elif max(o.points for o in q.options) != q.points:
        raise IndicatorSetError(f"{where}: the best option does not give the question's points")
    if q.type is QuestionType.BAND:
        if q.measure is None or any(o.band is None for o in q.options):
            raise IndicatorSetError(f"{where}: a band question needs a measure and a band on every option")
        unknown = set(q.measure.keys()) - figures
        if unknown:
            raise IndicatorSetError(f"{where}: measure uses undeclared figures {sorted(unknown)}")


def _level_rule(data: Mapping[str, Any], dimensions: tuple[str, ...]) -> LevelRule:
    where = "level_rule"
    kind = RuleKind(_req(data, "kind", where))
    levels = tuple(
        LevelRequirement(
            level=int(_req(lv, "level", where)), name=str(_req(lv, "name", where)), title=str(lv.get("title", "")),
            min_score=to_milli(_req(lv, "min_score", where), f"{where} level {lv['level']}"),
            scenario_level=int(lv.get("scenario_level", 0)), min_scenarios=int(lv.get("min_scenarios", 0)),
            min_mandatory=int(lv.get("min_mandatory", 0)),
        )
        for lv in sorted(_req(data, "levels", where), key=lambda lv: lv["level"])
    )
    if [r.level for r in levels] != list(range(1, len(levels) + 1)):
        raise IndicatorSetError(f"{where}: levels must be numbered 1, 2, 3, …")
    score_dims = tuple(data.get("score_dimensions", dimensions))
    if set(score_dims) - set(dimensions):
        raise IndicatorSetError(f"{where}: score_dimensions name unknown dimensions")
    source = data.get("source", {})
    return LevelRule(kind, score_dims, levels, str(source.get("note", "")).strip(), bool(source.get("unverified", False)),
                     str(_req(data, "below_first_level", where)))


def parse_indicator_set(data: Mapping[str, Any]) -> IndicatorSet:
    """A data file's mapping → an `IndicatorSet`, checked for internal consistency."""
    set_id = str(_req(data, "id", "indicator set"))
    dimensions = tuple(
        Dimension(str(d["code"]), str(d["name"]), str(d.get("short_name", d["name"])), to_milli(d["points"], d["code"]))
        for d in data.get("dimensions") or ()
    )
    second_levels = tuple(
        SecondLevel(str(s["code"]), str(s["dimension"]), str(s["name"]), to_milli(s["points"], s["code"]))
        for s in data.get("second_levels") or ()
    )
    figures = tuple(Figure(str(f["key"]), str(f["label"]), str(f.get("unit", ""))) for f in data.get("figures") or ())
    questions = tuple(_question(q, {f.key for f in figures}) for q in data.get("questions") or ())
    scenarios = tuple(
        Scenario(
            code=str(s["code"]), name=str(s["name"]), group=str(s.get("group", "")), mandatory=bool(s["mandatory"]),
            levels={int(k): str(v) for k, v in (s.get("levels") or {}).items()}, note=str(s.get("note", "")),
            unverified=bool(s.get("unverified", False)),
        )
        for s in data.get("scenarios") or ()
    )
    scale = data.get("scenario_levels") or {}
    indicator_set = IndicatorSet(
        id=set_id, title=str(_req(data, "title", set_id)), version=str(_req(data, "version", set_id)),
        effective_from=_date(_req(data, "effective_from", set_id), set_id),
        effective_until=_date(data["effective_until"], set_id) if data.get("effective_until") else None,
        source=dict(data.get("source") or {}), max_points=to_milli(_req(data, "max_score", set_id), set_id),
        dimensions=dimensions, second_levels=second_levels,
        questions=questions, scenarios=scenarios, scenario_level_min=int(scale.get("min", 0)),
        scenario_level_max=int(scale.get("max", 4)),
        scenario_level_labels={int(k): str(v) for k, v in (scale.get("labels") or {}).items()},
        figures=figures, level_rule=_level_rule(_req(data, "level_rule", set_id), tuple(d.code for d in dimensions)),
    )
    _check_set(indicator_set)
    return indicator_set


def _check_set(s: IndicatorSet) -> None:
    codes = [q.code for q in s.questions] + [sc.code for sc in s.scenarios]
    if len(set(codes)) != len(codes):
        raise IndicatorSetError(f"{s.id}: question or scenario codes repeated")
    dims = {d.code: d for d in s.dimensions}
    seconds = {sl.code: sl for sl in s.second_levels}
    for q in s.questions:
        if q.dimension not in dims or q.second_level not in seconds or seconds[q.second_level].dimension != q.dimension:
            raise IndicatorSetError(f"{s.id}: question {q.code} names an unknown dimension or second-level indicator")
    for sl in s.second_levels:
        if sum(q.points for q in s.questions if q.second_level == sl.code) != sl.points:
            raise IndicatorSetError(f"{s.id}: questions under {sl.code} do not add up to {format_points(sl.points)}")
    if s.dimensions and sum(d.points for d in s.dimensions) != s.max_points:
        raise IndicatorSetError(f"{s.id}: dimensions do not add up to max_score")
    for d in s.dimensions:
        if sum(sl.points for sl in s.second_levels if sl.dimension == d.code) != d.points:
            raise IndicatorSetError(f"{s.id}: second-level indicators under {d.code} do not add up")
    rule = s.level_rule
    if rule.kind is RuleKind.SCORE_AND_SCENARIOS:
        mandatory = sum(sc.mandatory for sc in s.scenarios)
        for r in rule.levels:
            if r.min_scenarios > len(s.scenarios) or r.min_mandatory > mandatory:
                raise IndicatorSetError(f"{s.id}: level {r.level} asks for more scenarios than the set has")
            if not s.scenario_level_min < r.scenario_level <= s.scenario_level_max:
                raise IndicatorSetError(f"{s.id}: level {r.level} counts scenarios at an impossible level")
