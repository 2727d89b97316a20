"""/api/v1/assessment: the scorer over HTTP (the same request shape as `shuzhuan score-assessment`)."""

from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Router, Schema

from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment.domain.errors import AssessmentInputError
from shuzhuan.assessment.payload import INVALID, evaluate
from shuzhuan.core.access import api_access
from shuzhuan.core.api_errors import ApiError

router = Router(tags=["数字化水平评测"])


class ScoreIn(Schema):
    indicator_set: str = Field("miit-2024", description="指标体系，如 miit-2024；miit-2022 只按总分评定")
    answers: dict[str, Any] = Field(default_factory=dict, description='选项字母，多选为列表或 "B,D"：{"F1": ["B","D"], "F2": "C"}')
    scenarios: dict[str, Any] = Field(default_factory=dict, description="场景等级 0–4（0 = 未实施）：{\"S01\": 2}")
    figures: dict[str, Any] = Field(default_factory=dict, description="填报数据（如生产设备数量），据此计算档位题的选项")
    partial: bool = Field(False, description="草稿：只算小计，不评定等级")
    kind: Literal["baseline", "post", "periodic"] = Field("baseline", description="评测类型：基线 / 改造后 / 定期")
    score: Decimal | None = Field(None, description="仅结果记录（如 2022 年版）：总分")


Number = int | float  # exact decimals with at most 3 places (see payload.json_number)


class ScoreOut(Schema):
    indicator_set: str
    version: str
    score: Number
    dimensions: dict[str, Number]
    second_levels: dict[str, Number]
    indicators: dict[str, Number]
    scenario_levels: dict[str, int]
    level: int | None = Field(description=f"0 = {indicator_sets.level_names()[0]}；草稿为 null")
    partial: bool
    explanation: list[str]


@router.post("/score", response=ScoreOut, summary="按指标体系计算得分与等级，并说明计算过程")
@api_access()
def score_sheet(request, payload: ScoreIn) -> dict[str, Any]:
    try:
        return evaluate(payload.model_dump(exclude_unset=True))
    except AssessmentInputError as exc:
        raise ApiError(422, INVALID["code"], INVALID["message"], [e.as_dict() for e in exc.errors]) from exc
