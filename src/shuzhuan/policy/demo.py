"""The demo city's recognitions (标杆示范) in the seed's numbers, one 免申即享 run with confirmations and
a paid batch, and a saved what-if. Generated records on the registry's fictional firms, through the
services (as the system: unsaved actors of the right role, so no account is created). Deterministic
for a seed.

The seed's numbers: 1 lighthouse factory; 86 smart-manufacturing pilot projects, 32 of them provincial
or higher (2 national); 28 provincial IIoT benchmarks; 18 demo factories, 27 demo workshops, 20 IIoT
benchmark projects; 8,500+ enterprises on cloud (上云用平台); 1 identifier-resolution secondary node.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db import transaction

from shuzhuan.policy.models import (
    Entitlement,
    EntitlementStatus,
    PaymentBatch,
    PolicyRun,
    Recognition,
    RecognitionKind,
    RecognitionLevel,
    Reform,
)

K, L = RecognitionKind, RecognitionLevel
# (kind, level, count, years): the seed's numbers
PLAN: tuple[tuple[str, str, int, tuple[int, ...]], ...] = (
    (K.LIGHTHOUSE, L.NATIONAL, 1, (2023,)),
    (K.SMART_PILOT, L.NATIONAL, 2, (2024, 2022)),
    (K.SMART_PILOT, L.PROVINCIAL, 30, (2021, 2022, 2023, 2024)),
    (K.SMART_PILOT, L.CITY, 54, (2021, 2022, 2023, 2024)),
    (K.PROVINCIAL_IIOT, L.PROVINCIAL, 28, (2021, 2022, 2023, 2024)),
    (K.DEMO_WORKSHOP, L.CITY, 27, (2022, 2023)),
    (K.DEMO_FACTORY, L.CITY, 18, (2023, 2024)),
    (K.IIOT_BENCHMARK, L.CITY, 20, (2022, 2023, 2024)),
    (K.IDENTIFIER_NODE, L.PROVINCIAL, 1, (2022,)),
)
ON_CLOUD = 8500
FACTORY_FROM_WORKSHOP = 6  # of the 18 demo factories, six were demo workshops first (the difference rule)
RUN_POLICY = "zs-smart-pilot-award"
RUN_ON = dt.date(2024, 9, 1)
BUDGET = Decimal("5000000.00")
CONFIRMING = 5  # of the entitled, how many confirm in the demo; all of them are approved and paid
DOCUMENT = "中山市工业和信息化局认定名单（演示）"
PROVIDERS = ("中山数智工业互联网有限公司", "岐江智造科技有限公司", "香山云联信息技术有限公司", "五桂山工业软件有限公司")
WORK = {
    K.LIGHTHOUSE: ("全流程数字孪生与柔性产线改造", "人均产值提升 52%，订单交付周期缩短 38%"),
    K.SMART_PILOT: ("智能制造单元与 MES 建设", "生产效率提升 25%，不良品率下降 30%"),
    K.PROVINCIAL_IIOT: ("工业互联网平台应用与设备联网", "设备联网率 90%，设备综合效率提升 18%"),
    K.DEMO_WORKSHOP: ("车间设备联网、数据采集与可视化", "车间产能提升 20%，能耗下降 12%"),
    K.DEMO_FACTORY: ("研产供销服一体化的数字化工厂", "运营成本下降 20%，库存周转提升 35%"),
    K.IIOT_BENCHMARK: ("基于工业互联网的质量追溯与协同", "质量追溯时间由天缩短到分钟"),
    K.IDENTIFIER_NODE: ("工业互联网标识解析二级节点建设与运营", "接入企业 300 余家，标识注册量超千万"),
    K.ON_CLOUD: ("业务系统上云、使用工业互联网平台服务", ""),
}


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text + ("\n" if not text.endswith("\n") else ""))


def present() -> bool:
    return Recognition.objects.filter(document=DOCUMENT).exists()


def reset() -> int:
    """Remove the demo's reforms, runs (entitlements, batches) and recognitions; the ledger keeps its
    entries (append-only)."""
    count = Recognition.objects.filter(document=DOCUMENT).count()
    runs = PolicyRun.objects.filter(pk__in=[r.pk for r in PolicyRun.objects.all() if RUN_POLICY in r.policies])
    Entitlement.objects.filter(run__in=runs).delete()
    PaymentBatch.objects.filter(run__in=runs).delete()
    runs.delete()
    Reform.objects.filter(policy=RUN_POLICY, title__endswith="（演示）").delete()
    Recognition.objects.filter(document=DOCUMENT).delete()
    return count


def _actor(role: str, **fields: Any):
    from shuzhuan.core.models import User

    return User(username="系统（演示数据）", display_name="系统（演示数据）", role=role, **fields)


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low, high + 1) * 10000).quantize(Decimal("0.01"))


@transaction.atomic
def generate_recognitions(seed: int, stdout: Any = None, on_cloud: int = ON_CLOUD) -> dict[str, int]:
    """The recognitions, the run and the what-if; {} when present already. Returns counts by kind."""
    from shuzhuan.registry.models import Enterprise

    if present():
        return {}
    rng = random.Random(seed)
    firms = list(Enterprise.objects.order_by("-revenue", "organisation__uscc").values_list("organisation_id", "on_cloud"))
    if not firms:
        _say(stdout, "企业库为空：跳过认定与荣誉")
        return {}
    leading = [org for org, _cloud in firms[:max(400, len(firms) // 20)]]
    rng.shuffle(leading)
    picks = iter(leading * 3)  # distinct firms while there are enough; a firm may then hold several titles
    rows: list[Recognition] = []
    workshops: list[Recognition] = []
    for kind, level, count, years in PLAN:
        summary, results = WORK[kind]
        for i in range(count):
            year = years[i % len(years)]
            if kind == K.DEMO_FACTORY and i < FACTORY_FROM_WORKSHOP and workshops:
                earlier = workshops[i]
                org, approved = earlier.organisation_id, _amount(rng, 300, 700)
                award = max(Decimal("0.00"), min(approved, Decimal("5000000.00")) - (earlier.award or 0))
            else:
                org = next(picks)
                award = (_amount(rng, 100, 200) if kind == K.DEMO_WORKSHOP else
                         _amount(rng, 200, 500) if kind == K.DEMO_FACTORY else
                         _amount(rng, 50, 100) if kind == K.IIOT_BENCHMARK else None)
            item = Recognition(organisation_id=org, kind=kind, level=level, year=year, document=DOCUMENT, award=award,
                               project=f"{summary}（{year}）", summary=summary, results=results,
                               provider_name=PROVIDERS[rng.randrange(len(PROVIDERS))])
            rows.append(item)
            if kind == K.DEMO_WORKSHOP:
                workshops.append(item)
    clouded = [org for org, cloud in firms if cloud] + [org for org, cloud in firms if not cloud]
    chosen = clouded[:on_cloud]
    if len(chosen) < on_cloud:
        _say(stdout, f"企业库只有 {len(chosen):,} 家：上云用平台记录按现有企业数生成（目标 {on_cloud:,}）")
    years = (2021, 2022, 2023, 2024)
    rows += [Recognition(organisation_id=org, kind=K.ON_CLOUD, level=L.CITY, year=years[rng.randrange(4)],
                         document=DOCUMENT, summary=WORK[K.ON_CLOUD][0]) for org in chosen]
    Recognition.objects.bulk_create(rows, batch_size=5000)
    counts = Counter(r.kind for r in rows)
    _say(stdout, "认定与荣誉：" + "，".join(f"{RecognitionKind(k).label} {n:,}" for k, n in counts.items()))
    _run_and_pay(rng, stdout)
    _what_if(stdout)
    return dict(counts)


def _run_and_pay(rng: random.Random, stdout: Any) -> None:
    from shuzhuan.core.models import Role
    from shuzhuan.funds import services as ledger
    from shuzhuan.policy import services

    city = _actor(Role.CITY_OFFICER)
    if not ledger.balances(RUN_POLICY):
        ledger.allocate(RUN_POLICY, "municipal", "direct_sme", BUDGET, city, memo="免申即享奖励资金（演示）")
    run = services.create_run(city, [RUN_POLICY], RUN_ON)
    services.offer(city, run)
    offered = list(run.entitlements.filter(status=EntitlementStatus.OFFERED).select_related("enterprise").order_by("pk"))
    for row in offered[:CONFIRMING]:
        firm = _actor(Role.ENTERPRISE, organisation_id=row.enterprise_id)
        services.confirm(firm, row, f"62220{rng.randrange(10**13, 10**14)}")
    approved, _refused = services.approve_run(city, run)
    paid = services.pay_run(city, run) if approved else None
    _say(stdout, f"免申即享：{RUN_POLICY} {len(offered)} 家可享，{min(CONFIRMING, len(offered))} 家已确认，"
                 f"支付 {paid.count if paid else 0} 笔")


def _what_if(stdout: Any) -> None:
    from shuzhuan.core.models import Role
    from shuzhuan.policy import library, whatif

    version = library.load(RUN_POLICY).version_on(RUN_ON)
    reform = whatif.save(_actor(Role.CITY_OFFICER), "省级奖励提高到 50 万元（演示）", RUN_POLICY, version.label, RUN_ON,
                         {"provincial_award": "500000.00"})
    _say(stdout, f"政策测算：{reform.title}，成本 {reform.result['cost_before']} → {reform.result['cost_after']} 元")
