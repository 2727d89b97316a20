"""Input errors named by field ("answers.F7", "scenarios.S03"), all collected before raising."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class AssessmentInputError(ValueError):
    """The answers do not fit the indicator set; `errors` names every offending field."""

    def __init__(self, errors: Iterable[FieldError]):
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


# Messages shared by the single-sheet validator and the batch engine's `find_errors`.
UNKNOWN_CODE = "未知的指标代码"
UNKNOWN_SCENARIO = "未知的场景代码"
MISSING_ANSWER = "必答题未作答"
MISSING_SCENARIO = "场景等级未填写（未实施填 0）"
UNKNOWN_OPTION = "未知选项"
REPEATED_OPTION = "选项重复"
NONE_WITH_OTHERS = "「无」不能与其他选项同时选择"
SINGLE_GOT_MANY = "单选题只能选择一个选项"


def scenario_range(low: int, high: int) -> str:
    return f"场景等级应为 {low}–{high} 的整数（0 表示未实施）"
