"""The demo city's matching part: chain leaders with supplier lists, a lighting and a smart-home
consortium (1+1+N), needs in natural Chinese, and contact requests at every funnel stage.

Deterministic for a seed (records are taken in primary-key order, dates from a fixed base). It
expects the registry (and ideally the pool: `demo_pool`) to exist; without enterprises it does
nothing, without published offerings it makes no contact requests and empty catalogues.
Fictional names only (DESIGN decision 10).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shuzhuan.assessment.results import assessed_enterprise_ids
from shuzhuan.core import audit
from shuzhuan.core.models import AuditEntry, OrganisationKind, User
from shuzhuan.marketplace.models import (
    IN_POOL_STATUSES,
    ChainLink,
    ChainRelation,
    Consortium,
    ContactRequest,
    ContactStatus,
    Need,
    NeedSource,
    NeedStatus,
    Offering,
    OfferingKind,
    ProviderProfile,
)
from shuzhuan.marketplace.services import match as svc
from shuzhuan.registry.domain import USCC_ALPHABET, make_uscc
from shuzhuan.registry.models import Enterprise

BASE_DATE = dt.date(2025, 1, 6)
CONSORTIA = (
    {"key": "lighting", "name": "中山照明灯饰产业生态联合体", "sector": "照明灯饰", "group": "387",
     "towns": ("古镇", "横栏"), "members": 40,
     "description": "以灯饰链主企业为牵引，联合工业互联网平台和本地服务商，为灯饰中小企业提供设计协同、柔性生产、质量追溯和电商营销等“小快轻准”产品与服务。"},
    {"key": "smart_home", "name": "中山智能家居产业生态联合体", "sector": "智能家居（家用电器）", "group": "385",
     "towns": ("东凤", "南头", "黄圃"), "members": 40,
     "description": "以家电链主企业为牵引，围绕小家电整机与配套企业，提供研发设计、智能排产、设备联网、供应链协同等数字化产品与服务。"},
)
PRODUCT_WORDS = {"387": "灯具", "385": "小家电", "33": "五金件", "21": "家具", "18": "服装", "39": "电子产品", "34": "设备"}
OPENERS = ("", "", "我们是做{product}的，", "厂里{people}个人，", "老板让我来问问：", "我们小厂做{product}，")
CLOSERS = ("", "", "预算大概{budget}万以内。", "希望三个月内能用起来。", "最好有本地的服务商上门。", "想先试用再决定。")
OUTCOMES = {
    ContactStatus.CONTACTED: ("已电话沟通，约好下周上门调研", "已上门了解现状，正在出方案", "已发送产品资料和报价"),
    ContactStatus.SIGNED: ("已签约，{amount} 万元，预计两个月上线", "签订试点合同 {amount} 万元，享受试点让利", "已签约并完成首期部署"),
    ContactStatus.DECLINED: ("企业预算不足，暂缓", "企业选择了其他服务商", "需求变化，暂不实施"),
}
STAGES = ((ContactStatus.REQUESTED, 35), (ContactStatus.CONTACTED, 25), (ContactStatus.SIGNED, 25),
          (ContactStatus.DECLINED, 15))
OUTSIDE_NAMES = ("江门{w}五金配件厂", "佛山{w}电子元件有限公司", "东莞{w}塑胶制品有限公司", "深圳{w}芯片贸易有限公司",
                 "珠海{w}包装材料有限公司", "惠州{w}线材有限公司")
OUTSIDE_WORDS = "恒瑞鑫达嘉盛宏泰永联华晟锦辉"


@dataclass
class MatchResult:
    leaders: int = 0
    links: int = 0
    consortia: int = 0
    needs: Counter = field(default_factory=Counter)
    contacts: Counter = field(default_factory=Counter)


def match_present() -> bool:
    return Consortium.objects.filter(name__in=[c["name"] for c in CONSORTIA]).exists()


@transaction.atomic
def delete_demo_match() -> int:
    """Remove what `generate_match` made (consortia by name; chain links, needs and contact requests of
    the demo leaders and enterprises)."""
    deleted = Consortium.objects.filter(name__in=[c["name"] for c in CONSORTIA]).delete()[0]
    deleted += ContactRequest.objects.all().delete()[0]
    deleted += Need.objects.all().delete()[0]
    deleted += ChainLink.objects.all().delete()[0]
    AuditEntry.objects.filter(action__in=("need_create", "need_derive", "contact_request", "contact_update", "chain_import"),
                              actor__isnull=True).delete()
    return deleted


def _date(rng: random.Random, days: int = 300) -> dt.datetime:
    day = BASE_DATE + dt.timedelta(days=rng.randint(0, days))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9 + rng.randint(0, 8), rng.randint(0, 59))))


def _product_word(industry: str | None) -> str:
    industry = industry or ""
    for prefix in sorted(PRODUCT_WORDS, key=len, reverse=True):
        if industry.startswith(prefix):
            return PRODUCT_WORDS[prefix]
    return "产品"


def _outside_uscc(i: int) -> str:
    body = "LW" + "".join(USCC_ALPHABET[(i // 31**k) % 31] for k in range(5, -1, -1))
    return make_uscc("440600", body)


def generate_match(seed: int = 2024, stdout: Any = None) -> MatchResult:
    say = (lambda text: stdout.write(text)) if stdout is not None else (lambda text: None)
    rng = random.Random(f"match-{seed}")
    result = MatchResult()
    if not Enterprise.objects.exists():
        say("  供需对接：企业库为空，跳过")
        return result
    with transaction.atomic():
        leaders = _chain_leaders(rng, result)
        _consortia(rng, result, leaders)
        needs = _needs(rng, result)
        _contacts(rng, result, needs)
    say(f"  供需对接：链主 {result.leaders} 家（上下游 {result.links} 家）；联合体 {result.consortia} 个；"
        f"需求 {sum(result.needs.values())} 条（企业填写 {result.needs[NeedSource.TYPED]}，诊断差距 {result.needs[NeedSource.DIAGNOSIS]}）；"
        f"对接请求 {sum(result.contacts.values())} 条（"
        + "、".join(f"{ContactStatus(k).label} {result.contacts[k]}" for k, _w in STAGES) + "）")
    return result


def _chain_leaders(rng: random.Random, result: MatchResult) -> list[Enterprise]:
    leaders = list(Enterprise.objects.filter(chain_leader=True).order_by("-revenue", "pk")[:5])
    if not leaders:
        leaders = list(Enterprise.objects.filter(industry__code__startswith="38").order_by("-revenue", "pk")[:5])
    links = []
    now = timezone.now()
    for n, leader in enumerate(leaders):
        division = (leader.industry_id or "38")[:2]
        pool = list(Enterprise.objects.filter(Q(industry__code__startswith=division) | Q(industry__code__startswith="33")
                                              | Q(industry__code__startswith="39"))
                    .exclude(pk=leader.pk).order_by("pk").values_list("pk", "organisation__uscc", "organisation__name")[:3000])
        suppliers = rng.sample(pool, min(len(pool), rng.randint(30, 70)))
        rest = [p for p in pool if p not in set(suppliers)]
        customers = rng.sample(rest, min(len(rest), rng.randint(3, 8)))
        for pk, uscc, name in suppliers:
            links.append(ChainLink(leader=leader, partner_uscc=uscc, partner_name=name, partner_id=pk,
                                   relation=ChainRelation.SUPPLIER, imported_at=now))
        for pk, uscc, name in customers:
            links.append(ChainLink(leader=leader, partner_uscc=uscc, partner_name=name, partner_id=pk,
                                   relation=ChainRelation.CUSTOMER, imported_at=now))
        for k in range(rng.randint(4, 9)):  # suppliers outside the city: not in the registry
            word = OUTSIDE_WORDS[rng.randrange(len(OUTSIDE_WORDS))] + OUTSIDE_WORDS[rng.randrange(len(OUTSIDE_WORDS))]
            links.append(ChainLink(leader=leader, partner_uscc=_outside_uscc(n * 100 + k), relation=ChainRelation.SUPPLIER,
                                   partner_name=rng.choice(OUTSIDE_NAMES).format(w=word), imported_at=now))
        audit.record(None, "chain_import", leader, f"导入链主上下游名单（演示数据）：供应商与客户共 "
                     f"{len(suppliers) + len(customers)} 家企业库内企业", organisation=leader.organisation_id)
    ChainLink.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
    result.leaders, result.links = len(leaders), len(links)
    return leaders


def _consortia(rng: random.Random, result: MatchResult, leaders: list[Enterprise]) -> None:
    providers = list(ProviderProfile.objects.filter(pool_status__in=IN_POOL_STATUSES).order_by("pk"))
    products = list(Offering.objects.public().filter(kind=OfferingKind.PRODUCT).order_by("pk")
                    .values_list("pk", "industries", "provider_id"))
    assigned: dict[str, list[int]] = {c["key"]: [] for c in CONSORTIA}
    for pk, industries, _prov in products:
        codes = [str(i) for i in industries or ()]
        if any(c.startswith("387") or c == "38" for c in codes):
            assigned["lighting"].append(pk)
        elif any(c.startswith("385") for c in codes):
            assigned["smart_home"].append(pk)
        else:
            assigned[rng.choice(("lighting", "smart_home"))].append(pk)
    provider_of = {pk: prov for pk, _i, prov in products}
    for spec in CONSORTIA:
        group = spec["group"]
        traction = next((e for e in leaders if (e.industry_id or "").startswith(group)), None)
        if traction is None:
            traction = Enterprise.objects.filter(industry__code__startswith=group).order_by("-revenue", "pk").first()
        if traction is None:
            continue
        catalogue = assigned[spec["key"]]
        counts = Counter(provider_of[pk] for pk in catalogue)
        member_providers = [p for p in providers if counts.get(p.pk)] or providers[:3]  # the catalogue's providers
        lead = max(member_providers, key=lambda p: (counts.get(p.pk, 0), -p.pk)) if member_providers else None
        smes = list(Enterprise.objects.filter(industry__code__startswith=group, town__short_name__in=spec["towns"])
                    .exclude(pk=traction.pk).order_by("pk").values_list("pk", flat=True)[:2000])
        members = rng.sample(smes, min(len(smes), spec["members"]))
        consortium = Consortium.objects.create(name=spec["name"], sector=spec["sector"], traction_unit_id=traction.pk,
                                               lead_provider=lead, description=spec["description"])
        consortium.members.add(traction.pk, *members, *[p.pk for p in member_providers])
        consortium.offerings.add(*catalogue)
        result.consortia += 1


def _need_text(rng: random.Random, base: str, industry: str | None, employees: int | None, budget: Decimal | None) -> str:
    opener = rng.choice(OPENERS).format(product=_product_word(industry), people=employees or rng.randint(20, 200))
    closer = rng.choice(CLOSERS)
    if "{budget}" in closer:
        closer = closer.format(budget=int(budget / 10000)) if budget else ""
    text = base.rstrip("。！!") + "。"
    return f"{opener}{text}{closer}"


def _needs(rng: random.Random, result: MatchResult) -> list[Need]:
    from shuzhuan.marketplace.needs import load_labelled

    phrases = [item.text for item in load_labelled()]
    total = Enterprise.objects.count()
    count = min(400, max(20, total // 50))
    ids = list(Enterprise.objects.filter(size_class__in=("small", "micro", "medium")).order_by("pk")
               .values_list("pk", "industry_id", "employees")[:20000])
    if not ids:
        ids = list(Enterprise.objects.order_by("pk").values_list("pk", "industry_id", "employees")[:20000])
    chosen = rng.sample(ids, min(len(ids), count))
    demo_ent = User.objects.filter(username="qiye", organisation__kind=OrganisationKind.ENTERPRISE).values_list(
        "organisation_id", flat=True).first()
    if demo_ent is not None and Enterprise.objects.filter(pk=demo_ent).exists():
        row = Enterprise.objects.filter(pk=demo_ent).values_list("pk", "industry_id", "employees").first()
        chosen = [row, *[c for c in chosen if c[0] != demo_ent]]
    needs = []
    for pk, industry, employees in chosen:
        budget = rng.choice((None, None, Decimal("30000.00"), Decimal("50000.00"), Decimal("80000.00"), Decimal("150000.00"),
                             Decimal("300000.00")))
        text = _need_text(rng, rng.choice(phrases), industry, employees, budget)
        classification = svc.classify(text)
        scenarios = [c["code"] for c in classification[:2]] or [rng.choice(list(svc.scenario_names()))]
        needs.append(Need(enterprise_id=pk, text=text, scenarios=sorted(scenarios), classification=classification,
                          budget=budget, source=NeedSource.TYPED, created_at=_date(rng)))
    Need.objects.bulk_create(needs, batch_size=1000)
    AuditEntry.objects.bulk_create([
        audit.entry(None, "need_create", n, f"发布需求：{n.text[:60]}", organisation=n.enterprise_id) for n in needs
    ], batch_size=1000)
    result.needs[NeedSource.TYPED] += len(needs)
    # diagnosis needs: the first gaps of some assessed enterprises
    assessed = assessed_enterprise_ids(400)
    for pk in rng.sample(assessed, min(len(assessed), 40)):
        try:
            created, _summary = svc.derive_needs(None, Enterprise.objects.get(pk=pk), limit=3)
        except svc.MatchError:
            continue
        result.needs[NeedSource.DIAGNOSIS] += len(created)
    return needs


def _contacts(rng: random.Random, result: MatchResult, needs: list[Need]) -> None:
    offerings = svc.public_offerings()
    if not offerings or not needs:
        return
    m = svc.matcher(with_industry_names=False)
    ents = Enterprise.objects.in_bulk([n.enterprise_id for n in needs])
    by_id = {o.id: o for o in offerings}
    contacts, entries = [], []
    signed_needs, matching_needs = [], []
    for need in needs:
        if rng.random() > 0.6 and need is not needs[0]:
            continue
        ent = ents[need.enterprise_id]
        facts = svc.facts_from(ent, None, [need])
        ranked = m.rank(facts, offerings, top=3, explain=False)
        if not ranked:
            continue
        pick = by_id[ranked[rng.randrange(len(ranked))].offering_id]
        status = rng.choices([s for s, _w in STAGES], weights=[w for _s, w in STAGES])[0]
        created = need.created_at + dt.timedelta(days=rng.randint(0, 5), hours=rng.randint(1, 8))
        outcome = ""
        if status in OUTCOMES:
            outcome = rng.choice(OUTCOMES[status]).format(amount=rng.choice((3, 5, 8, 12, 20)))
        contact = ContactRequest(enterprise_id=need.enterprise_id, need=need, offering_id=pick.id, provider_id=pick.provider_id,
                                 message=rng.choice(("", "请尽快联系，谢谢", "工作日上午方便", "想先看看演示")), status=status,
                                 outcome=outcome, created_at=created, updated_at=created + dt.timedelta(days=rng.randint(1, 20)))
        contacts.append(contact)
        (signed_needs if status == ContactStatus.SIGNED else matching_needs).append(need.pk)
        result.contacts[status] += 1
    ContactRequest.objects.bulk_create(contacts, batch_size=1000)
    for c in contacts:
        entries.append(audit.entry(None, "contact_request", c, "请服务商联系（演示数据）", organisation=c.enterprise_id))
        if c.status != ContactStatus.REQUESTED:
            entries.append(audit.entry(None, "contact_update", c, f"对接进展：{ContactStatus(c.status).label}",
                                       organisation=c.enterprise_id, reason=c.outcome))
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    Need.objects.filter(pk__in=matching_needs).update(status=NeedStatus.MATCHING)
    Need.objects.filter(pk__in=signed_needs).update(status=NeedStatus.SIGNED)
    # a few needs were closed by their enterprises without contact
    untouched = [n.pk for n in needs if n.pk not in set(signed_needs) | set(matching_needs)]
    Need.objects.filter(pk__in=rng.sample(untouched, min(len(untouched), len(untouched) // 10))).update(
        status=NeedStatus.CLOSED)

