"""/api/v1/marketplace: supply–demand matching (供需对接)."""


from typing import Any

from ninja import Field, Router, Schema

from shuzhuan.api.errors import ApiError
from shuzhuan.core.access import api_access
from shuzhuan.marketplace.domain.classify import SCENARIO_CODES
from shuzhuan.marketplace.needs import classifier

router = Router(tags=["供需对接"])

MAX_NEED_CHARS = 2000


class NeedIn(Schema):
    # Checked in the view, after the access check: an anonymous caller gets 401, not a validation answer.
    text: str = Field("", description=f"企业用自己的话写的需求（必填），1–{MAX_NEED_CHARS} 字")
    top: int = Field(3, ge=1, le=len(SCENARIO_CODES), description="最多返回几个场景")


def _text_problem(text: str) -> str | None:
    if not text.strip():
        return "请填写需求描述"
    if len(text) > MAX_NEED_CHARS:
        return f"需求描述不能超过 {MAX_NEED_CHARS} 字（当前 {len(text)} 字）"
    return None


class ScenarioMatchOut(Schema):
    code: str
    name: str
    score: float = Field(..., description="0–1，精确到 0.001（s / (s + 饱和常数)，s 为命中词权重之和）")
    why: list[str] = Field(..., description="命中的词语，按权重从高到低")


class NeedScenariosOut(Schema):
    scenarios: list[ScenarioMatchOut]


@router.post("/classify-need", response=NeedScenariosOut, summary="把一段需求描述对应到 16 个业务场景，并说明依据")
@api_access()
def classify_need(request, payload: NeedIn) -> dict[str, Any]:
    problem = _text_problem(payload.text)
    if problem:
        raise ApiError(422, "invalid", "请求参数有误", [{"field": "text", "message": problem}])
    model = classifier()
    matches = model.classify(payload.text, top=payload.top)
    return {
        "scenarios": [
            # a Decimal with 3 places: its float prints as the same 3-place number (DESIGN decision 6)
            {"code": m.code, "name": model.lexicon.scenarios[m.code].name, "score": float(m.score), "why": list(m.why)}
            for m in matches
        ]
    }
