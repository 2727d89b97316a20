"""Band questions: from raw figures (device counts, last two years' energy, …) to the option letter.

The questionnaire asks for the figures; the band is computed here, never guessed. Values are exact
fractions, so a rate of exactly 20 % falls in "(10,20]" and not in "(20,40]".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from shuzhuan.assessment.domain.errors import FieldError
from shuzhuan.assessment.domain.model import Question, Ratio

Number = int | Decimal | Fraction | str | float


@dataclass(frozen=True)
class Derived:
    letter: str
    value: Fraction
    text: str  # how the value was computed, in words


def parse_figure(raw: object) -> Fraction | None:
    """A non-negative number from JSON/XLSX (int, decimal string, float via its shortest text)."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, Fraction | int):
        value = Fraction(raw)
    elif isinstance(raw, Decimal | float | str):
        try:
            value = Fraction(Decimal(str(raw).strip()))
        except (InvalidOperation, ValueError):
            return None
    else:
        return None
    return value if value >= 0 else None


def _fmt(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return format(Decimal(value.numerator) / Decimal(value.denominator), ".4g")


def _ratio(r: Ratio, figures: Mapping[str, Fraction], errors: list[FieldError]) -> tuple[Fraction, str] | None:
    num = figures[r.numerator]
    if r.denominator is None:
        return num, _fmt(num)
    den = figures[r.denominator]
    if den == 0:
        errors.append(FieldError(f"figures.{r.denominator}", "作为分母不能为 0"))
        return None
    return num / den, f"{_fmt(num)} ÷ {_fmt(den)}"


def derive(question: Question, figures: Mapping[str, Fraction], errors: list[FieldError]) -> Derived | None:
    """The option whose band holds the question's measure; None when figures are missing or wrong."""
    measure = question.measure
    if measure is None or any(k not in figures for k in measure.keys()):
        return None
    current = _ratio(measure.current, figures, errors)
    if current is None:
        return None
    if measure.previous is None:
        value, text = current[0] * measure.scale, f"{current[1]} × {_fmt(measure.scale)} = "
    else:
        previous = _ratio(measure.previous, figures, errors)
        if previous is None:
            return None
        value = current[0] - previous[0]
        text = f"本期 {current[1]} 与上期 {previous[1]} 相比，变化 "
    text += f"{_fmt(value)}{measure.unit}"
    option = next((o for o in question.options if o.band is not None and value in o.band), None)
    if option is None:
        errors.append(FieldError(f"figures.{measure.current.numerator}", f"{question.code} 的计算值 {_fmt(value)}{measure.unit} 不在任何档位内"))
        return None
    return Derived(option.letter, value, text)
