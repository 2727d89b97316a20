"""/api/v1/marketplace: supply–demand matching (供需对接)."""


from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from shuzhuan.core.access import api_access
from shuzhuan.core.api_errors import ApiError
from shuzhuan.core.domain import money_json
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
        raise ApiError(422, "invalid", _("请求参数有误"), [{"field": "text", "message": problem}])
    model = classifier()
    matches = model.classify(payload.text, top=payload.top)
    return {
        "scenarios": [
            # a Decimal with 3 places: its float prints as the same 3-place number (DESIGN decision 6)
            {"code": m.code, "name": model.lexicon.scenarios[m.code].name, "score": float(m.score), "why": list(m.why)}
            for m in matches
        ]
    }


# --- matching (供需对接): recommendations for an enterprise ------------------------------------------
class ScoreComponentOut(Schema):
    key: str = Field(..., description="need / gap / industry / level / budget / rating / local")
    label: str
    points: float = Field(..., description="本项得分，精确到 0.1 分 = 满分 × num / den，四舍五入")
    max_points: float
    num: int
    den: int
    why: str


class RecommendedOfferingOut(Schema):
    id: int
    name: str
    kind: str
    product_type: str
    provider_uscc: str
    provider_name: str
    price_min: str | None = Field(None, description="元，两位小数")
    pilot_price: str | None = Field(None, description="试点价：价格下限扣除试点让利，元，两位小数")


class RecommendationOut(Schema):
    rank: int
    score: float = Field(..., description="总分（各项得分之和），精确到 0.1 分")
    offering: RecommendedOfferingOut
    reasons: list[str]
    components: list[ScoreComponentOut]


class RecommendationsOut(Schema):
    uscc: str
    name: str
    level: int | None = Field(None, description="最新正式评测等级；null 为尚无正式评测")
    gap_scenarios: list[str] = Field(..., description="低于下一等级要求的场景，约束性在前")
    need_scenarios: list[str]
    budget: str | None
    weights: str = Field(..., description="权重文件 id 与版本")
    candidates: int
    items: list[RecommendationOut]


@router.get("/recommendations/{uscc}", response=RecommendationsOut,
            summary="为一家企业推荐资源池中的方案与产品，逐项说明得分依据")
@api_access("admin", "city_officer", "town_officer", "enterprise")
def recommendations(request, uscc: str, need: int | None = Query(None, ge=1), limit: int = Query(10, ge=1, le=50)) -> dict[str, Any]:
    from django.shortcuts import get_object_or_404

    from shuzhuan.marketplace.domain.matching import pilot_price
    from shuzhuan.marketplace.models import Need
    from shuzhuan.marketplace.services import match as services_match
    from shuzhuan.registry.models import Enterprise

    ent = get_object_or_404(Enterprise.objects.visible_to(request.user).select_related("organisation"), organisation__uscc=uscc)
    need_obj = get_object_or_404(Need.objects.visible_to(request.user).filter(enterprise=ent), pk=need) if need else None
    recs = services_match.recommend(ent, need_obj, top=limit)

    money = money_json

    facts = recs.facts
    return {
        "uscc": ent.uscc, "name": ent.name, "level": facts.level,
        "gap_scenarios": list(facts.gaps.codes) if facts.gaps else [],
        "need_scenarios": sorted(facts.need_scenarios), "budget": money(facts.budget),
        "weights": f"{recs.weights.id}@{recs.weights.version}", "candidates": recs.candidates,
        "items": [
            {
                "rank": item.rank, "score": float(item.scored.points), "reasons": item.scored.reasons(),
                "offering": {
                    "id": item.offering.pk, "name": item.offering.name, "kind": item.offering.kind,
                    "product_type": item.offering.product_type, "provider_uscc": item.offering.provider.organisation.uscc,
                    "provider_name": item.offering.provider.organisation.name, "price_min": money(item.offering.price_min),
                    "pilot_price": money(pilot_price(item.offering.price_min, item.offering.pilot_discount)),
                },
                "components": [
                    {"key": c.key, "label": c.label, "points": float(c.points), "max_points": float(c.max_points),
                     "num": c.num, "den": c.den, "why": c.why}
                    for c in item.scored.components
                ],
            }
            for item in recs.items
        ],
    }
