"""Programme rules as pure Python (no Django, no I/O): parsing rule files, quoting subsidies, money splits."""

from shuzhuan.core.money import (
    MoneyError,
    PurposeRule,
    check_purpose_split,
    parse_money,
    split,
)
from shuzhuan.programs.domain.errors import FieldError, ProgrammeFileError, QuoteInputError
from shuzhuan.programs.domain.model import (
    LEVEL_NAMES,
    MAX_LEVEL,
    Citation,
    CostItem,
    Example,
    FundSource,
    Programme,
    ProgrammeVersion,
)
from shuzhuan.programs.domain.parse import parse_programme
from shuzhuan.programs.domain.quote import Quote, quote, run_example

__all__ = [
    "LEVEL_NAMES", "MAX_LEVEL", "Citation", "CostItem", "Example", "FieldError", "FundSource", "MoneyError",
    "Programme", "ProgrammeFileError", "ProgrammeVersion", "PurposeRule", "Quote", "QuoteInputError",
    "check_purpose_split", "parse_money", "parse_programme", "quote", "run_example", "split",
]
