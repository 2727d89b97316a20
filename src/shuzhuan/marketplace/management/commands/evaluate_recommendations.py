"""`shuzhuan evaluate-recommendations [--top 10] [--json]`: do small firms see first what they can pay for?

Over the current database (for the issue's figure: the demo city, `shuzhuan demo-data --enterprises 20000
--seed 2024` into a scratch `SHUZHUAN_VAR_DIR`), for micro and small firms whose top ten holds an
affordable option (pilot price ≤ 10 % of the latest yearly revenue), the share whose first recommendation
is affordable, in three populations:

- `needs`: every open need of such a firm, ranked for that need (the need's page; the single path);
- `firms with needs`: each such firm with open needs, ranked over all of them (推荐方案; the batch path);
- `all firms`: every micro and small firm, including those ranked on their assessment gaps only.

For the needs it also prints how often the first recommendation covers one of the need's scenarios, so
that affordability is not bought by ignoring what was asked for.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from shuzhuan.marketplace import recommend
from shuzhuan.marketplace.domain.affordability import SMALL_CLASSES, Case, Share, measure
from shuzhuan.marketplace.domain.matching import pilot_price_cents
from shuzhuan.marketplace.models import Need
from shuzhuan.marketplace.services import match as svc
from shuzhuan.registry.models import Enterprise


def _cents(value) -> int | None:
    return None if value is None else int(value * 100)


def evaluate(top: int = 10) -> dict[str, Share]:
    offerings = svc.public_offerings()
    prices = {o.id: pilot_price_cents(o.price_min, o.pilot_discount) for o in offerings}
    firms = {pk: (size or "", _cents(revenue)) for pk, size, revenue in
             Enterprise.objects.filter(size_class__in=SMALL_CLASSES).values_list("pk", "size_class", "revenue")}
    batch = recommend.recommend_all(top=top)
    ranked: dict[int, list[int]] = {}
    for ent, offering in batch.select("enterprise_id", "offering_id").iter_rows():
        if ent in firms:
            ranked.setdefault(ent, []).append(offering)
    with_needs = set(Need.objects.filter(status__in=svc.OPEN_NEED_STATUSES).values_list("enterprise_id", flat=True))

    def firm_cases(only: set[int] | None):
        for ent, offs in ranked.items():
            if only is None or ent in only:
                yield Case(firms[ent][0], firms[ent][1], [prices.get(o) for o in offs])

    scenarios = {o.id: o.scenarios for o in offerings}
    need_cases = []
    needs = (Need.objects.filter(status__in=svc.OPEN_NEED_STATUSES, enterprise_id__in=list(firms))
             .select_related("enterprise").order_by("pk"))
    for need in needs:
        _facts, _assessment, scored, _n = svc.rank_for(need.enterprise, need, top=top, explain=False)
        wanted = set(need.scenarios or ())
        need_cases.append(Case(need.enterprise.size_class, _cents(need.enterprise.revenue),
                               [prices.get(s.offering_id) for s in scored],
                               [bool(scenarios.get(s.offering_id, frozenset()) & wanted) for s in scored]))
    return {"needs": measure(need_cases), "firms with needs": measure(firm_cases(with_needs)),
            "all firms": measure(firm_cases(None))}


class Command(BaseCommand):
    help = "评估推荐是否适合小微企业的支付能力：shuzhuan evaluate-recommendations [--top 10] [--json]"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--top", type=int, default=10, help="每家企业或每条需求看前几条推荐（默认 10）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, top: int, json: bool, **options: Any) -> None:
        result = evaluate(max(1, top))
        if json:
            data = {k: {"cases": s.cases, "first_affordable": s.first_affordable, "share": round(s.ratio, 4),
                        **({"first_covers_need": s.first_covers_need, "need_share": round(s.need_ratio, 4)}
                           if s.with_need else {})} for k, s in result.items()}
            self.stdout.write(_dumps(data))
            return
        self.stdout.write(f"小微企业推荐可负担性（前 {top} 条中有试点价 ≤ 年营业收入 10% 的方案时，第一条即可负担的比例）")
        for key, s in result.items():
            line = f"  {key:<17} {s.ratio:6.1%}  ({s.first_affordable}/{s.cases})"
            if s.with_need:
                line += f"   第一条覆盖需求场景 {s.need_ratio:.1%} ({s.first_covers_need}/{s.with_need})"
            self.stdout.write(line)


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
