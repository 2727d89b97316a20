"""The demo city's 数字贷 (DOMAIN §7; DESIGN decision 10: fictional names, generated records).

11 cooperating banks (the first is the demo bank account's organisation), 16 products, and the 2023
book: 93 filings whose figures add up to the seed — 1.0bn of demand, 539m of credit, 291m disbursed,
1.305bn of investment driven — each a filed project with a loan application, most granted, some
disbursed, with monthly interest. Amounts are random shares of the totals (largest remainder, in
units of 10,000 yuan), so the totals hold exactly; `seed_figures()` recomputes them from the records.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum

from shuzhuan.core.demo import DEMO_BANK, ensure_organisation
from shuzhuan.core.models import Organisation, OrganisationKind
from shuzhuan.finance.domain import filing as fd
from shuzhuan.finance.domain import loan as ld
from shuzhuan.finance.models import (
    BankBranch,
    BankProfile,
    Collateral,
    Disbursement,
    Filing,
    FilingCounter,
    Loan,
    LoanProduct,
    Repayment,
)

YEAR = 2023
FILINGS = 93
UNIT = Decimal("10000.00")
DEMAND, CREDIT, DISBURSED, INVESTMENT = 100_000, 53_900, 29_100, 130_500  # in units of 10,000 yuan
GRANTED, DISBURSING = 70, 52
MARK = "DEMO-"  # approval numbers of the demo filings
BANKS = ("岐澜银行股份有限公司中山分行", "香山农商银行股份有限公司", "逸仙商业银行中山分行", "五桂山村镇银行股份有限公司",
         "濠头发展银行中山分行", "翠亨银行股份有限公司中山分行", "岐江实业银行中山分行", "紫马岭银行中山支行",
         "横门商业银行股份有限公司", "金钟湖银行中山分行", "长江源合作银行中山分行")
PRODUCT_NAMES = ("数智技改贷", "智造升级贷", "设备更新贷", "工业软件贷", "数转信用贷", "产线焕新贷", "上云用数贷",
                 "专精特新数字贷", "灯饰智造贷", "家电数改贷", "五金智联贷", "两化融合贷", "绿色智造贷", "链主协同贷",
                 "中小企业数转贷", "示范工厂贷")
TARGETS = ("本市制造业中小企业，项目已数字贷备案", "规上工业企业数字化智能化改造", "专精特新企业，信用良好",
           "照明灯饰、家电、五金等特色产业集群企业")


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text + "\n")


def _apportion(total: int, count: int, rng: random.Random, low: float = 0.3) -> list[int]:
    """`count` positive integers summing to `total`, random shares by largest remainder."""
    weights = [low + rng.random() for _ in range(count)]
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    parts = [max(1, int(x)) for x in raw]
    order = sorted(range(count), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(parts) < total:
        parts[order[i % count]] += 1
        i += 1
    while sum(parts) > total:
        j = max(range(count), key=lambda k: parts[k])
        parts[j] -= 1
    return parts


def _bank_orgs() -> list[Organisation]:
    from shuzhuan.registry import demo as registry_demo

    cal = registry_demo.calibration()
    orgs = [ensure_organisation(DEMO_BANK, cal.account_uscc)]
    for number, name in enumerate(BANKS[1:], start=100):
        org, _created = Organisation.objects.get_or_create(uscc=cal.account_uscc(number),
                                                           defaults={"name": name, "kind": OrganisationKind.BANK})
        orgs.append(org)
    return orgs


def present() -> bool:
    return Filing.objects.filter(approval_number__startswith=MARK).exists()


def _enterprises(rng: random.Random) -> list[Any]:
    from shuzhuan.registry import demo as registry_demo
    from shuzhuan.registry.models import Enterprise

    pool = list(Enterprise.objects.filter(organisation__in=registry_demo.demo_organisations())
                .filter(employees__gte=20).order_by("pk").values_list("pk", flat=True)[:5000])
    if not pool:
        pool = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True)[:5000])
    if not pool:
        return []
    firms = rng.sample(pool, min(FILINGS, len(pool)))
    while len(firms) < FILINGS:  # a small registry: a firm may hold up to 2 filings
        firms.append(firms[len(firms) % max(1, len(pool))])
    return list(Enterprise.objects.in_bulk(firms).get(pk) for pk in firms)


@transaction.atomic
def generate_finance(seed: int = 2024, stdout: Any = None) -> dict[str, int]:
    if present():
        _say(stdout, "  数字贷示范数据已存在，跳过")
        return {}
    rng = random.Random(f"finance-{seed}")
    from shuzhuan.core.models import Town

    towns = list(Town.objects.filter(active=True).order_by("code"))
    banks = []
    for index, org in enumerate(_bank_orgs()):
        bank, _created = BankProfile.objects.get_or_create(organisation=org, defaults={
            "short_name": org.name[:4], "introduction": "本市数字贷合作银行（演示）",
            "contact_name": "对公业务部", "contact_phone": f"0760-8{index:02d}00000",
            "cooperating_since": dt.date(2022, 5, 11)})
        for town in rng.sample(towns, min(2, len(towns))):
            BankBranch.objects.get_or_create(bank=bank, name=f"{org.name[:6]}{town.short_name}支行",
                                             defaults={"town": town, "address": f"{town.name}中心路 {index + 1} 号"})
        banks.append(bank)
    products = []
    for index, name in enumerate(PRODUCT_NAMES):
        bank = banks[index % len(banks)]
        low = Decimal(rng.choice(["2.80", "3.00", "3.10", "3.20", "3.30"]))
        products.append(LoanProduct.objects.create(
            bank=bank, name=name, summary=f"{bank.short_name}面向数字化智能化转型项目的贷款，经备案可享全额贴息",
            rate_min=low, rate_max=low + Decimal(rng.choice(["0.50", "0.80", "1.00"])), term_months_min=12,
            term_months_max=rng.choice([36, 60, 84]), amount_min=Decimal("500000.00"),
            amount_max=Decimal(rng.choice(["30000000.00", "50000000.00", "100000000.00"])),
            collateral=rng.choice(list(Collateral.values)), target_firms=rng.choice(TARGETS), published=True))
    firms = _enterprises(rng)
    if not firms:
        _say(stdout, f"  {len(banks)} 家合作银行、{len(products)} 款产品；没有企业，跳过备案与贷款")
        return {"banks": len(banks), "products": len(products)}
    demand = _apportion(DEMAND, FILINGS, rng)
    investment = _apportion(INVESTMENT, FILINGS, rng)
    granted = sorted(rng.sample(range(FILINGS), GRANTED))
    credit = dict(zip(granted, _apportion(CREDIT, GRANTED, rng), strict=True))
    paying = sorted(rng.sample(granted, DISBURSING))
    shares = _apportion(DISBURSED, DISBURSING, rng)
    disbursed = {}
    for i, share in zip(paying, shares, strict=True):
        disbursed[i] = min(share, credit[i])
    short = DISBURSED - sum(disbursed.values())
    for i in paying:  # move what a small credit line could not take to lines with room
        room = credit[i] - disbursed[i]
        take = min(room, short)
        disbursed[i] += take
        short -= take
    assert short == 0
    counter, _created = FilingCounter.objects.get_or_create(year=YEAR)
    start = counter.last
    loans = 0
    for i, firm in enumerate(firms):
        filed_on = dt.date(YEAR, 1, 5) + dt.timedelta(days=rng.randrange(0, 300))
        inv = investment[i] * UNIT
        split = _apportion(int(inv / UNIT), 3, rng)
        items = {k: f"{Decimal(v) * UNIT:.2f}" for k, v in
                 zip(("digital_systems", "industrial_software", "production_lines"), split, strict=True)}
        bank = rng.choice(banks)
        filing = Filing.objects.create(
            enterprise=firm, number=fd.filing_number(YEAR, start + i + 1), state=fd.LOAN_APPLIED,
            title=f"{firm.organisation.name[:10]}数字化智能化改造项目", approval_number=f"{MARK}{YEAR}-442000-{i + 1:04d}",
            provider_name="中山市澜岳数智科技有限公司", contract_amount=inv + UNIT * rng.randrange(0, 50),
            items=items, investment=inv, loan_demand=demand[i] * UNIT,
            eligibility={"policy": "zs-digital-loan-filing", "eligible": True, "reasons": [], "explanation": ["演示数据"]},
            filed_on=filed_on)
        filing.intended_banks.set([bank])
        applied_on = filed_on + dt.timedelta(days=rng.randrange(5, 40))
        loan = Loan(filing=filing, enterprise=firm, bank=bank, product=rng.choice([p for p in products if p.bank_id == bank.pk]
                                                                                 or [None]),
                    reference=f"{bank.short_name}-{YEAR}-{i + 1:04d}", requested_amount=demand[i] * UNIT,
                    applied_on=applied_on, last_event_on=applied_on)
        if i in credit:
            loan.state, loan.credit_amount = ld.GRANTED, credit[i] * UNIT
            loan.rate = Decimal(rng.choice(["3.10", "3.25", "3.45", "3.60"]))
            loan.term_months = rng.choice([24, 36, 60])
            loan.granted_on = loan.last_event_on = applied_on + dt.timedelta(days=rng.randrange(5, 30))
        loan.save()
        loans += 1
        if i in disbursed:
            on = loan.granted_on + dt.timedelta(days=rng.randrange(1, 20))
            amount = disbursed[i] * UNIT
            Disbursement.objects.create(loan=loan, on=on, amount=amount)
            repayments, pay_on = [], on
            for _month in range(rng.randrange(1, 6)):
                pay_on = (pay_on.replace(day=1) + dt.timedelta(days=32)).replace(day=20)
                if pay_on.year > YEAR:
                    break
                interest = (amount * loan.rate / 100 / 12).quantize(Decimal("0.01"))
                repayments.append(Repayment(loan=loan, on=pay_on, principal=Decimal("0.00"), interest=interest))
            Repayment.objects.bulk_create(repayments)
            loan.state, loan.disbursed = ld.ACTIVE, amount
            loan.interest_paid = sum((r.interest for r in repayments), Decimal("0.00"))
            loan.last_event_on = repayments[-1].on if repayments else on
            loan.save()
    FilingCounter.objects.filter(pk=YEAR).update(last=start + len(firms))
    pool_firms = generate_pool(rng, banks, stdout)
    figures = seed_figures(YEAR)
    _say(stdout, f"  {len(banks)} 家合作银行、{len(products)} 款产品；{YEAR} 年备案 {figures['filings']} 个，融资需求 "
                 f"{figures['demand']:,.2f} 元，授信 {figures['credit']:,.2f} 元，放款 {figures['disbursed']:,.2f} 元，"
                 f"带动投资 {figures['investment']:,.2f} 元")
    if pool_firms:
        _say(stdout, f"  助保贷：风险补偿金 {DEPOSIT:,.2f} 元，2024 年第 1 季度 {pool_firms} 家企业")
    return {"banks": len(banks), "products": len(products), "filings": len(firms), "loans": loans,
            "pool_firms": pool_firms}


POOL_CODE = "zbd-zhongshan"
POOL_FIRMS = 152
POOL_UNITS = 63_400  # 634m in units of 10,000 yuan, lent in 2024 Q1
DEPOSIT = Decimal("250000000.00")


def generate_pool(rng: random.Random, banks: list[BankProfile], stdout: Any = None) -> int:
    """The 助保贷 book: the 250m deposit and 152 firms' loans in 2024 Q1 adding up to 634m (through the
    pool's services: limits checked, fees into the fee pool, audited)."""
    from shuzhuan.finance import guarantee
    from shuzhuan.finance.models import GuaranteePool
    from shuzhuan.registry.models import Enterprise

    pool, created = GuaranteePool.objects.get_or_create(code=POOL_CODE, defaults={"name": "中山市助保贷风险补偿资金池（演示）"})
    if not created:
        return 0
    guarantee.fund_deposit(None, pool, DEPOSIT, memo="市属投资公司存入风险补偿金（演示）")
    candidates = list(Enterprise.objects.filter(above_scale=False, revenue__gte=Decimal("10000000.00"))
                      .order_by("pk").values_list("pk", flat=True)[:20000])
    if len(candidates) < POOL_FIRMS:
        candidates = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True)[:20000])
    if len(candidates) < POOL_FIRMS:
        _say(stdout, f"  助保贷：企业不足 {POOL_FIRMS} 家，只设立资金池")
        return 0
    firms = Enterprise.objects.in_bulk(rng.sample(candidates, POOL_FIRMS))
    for (pk, firm), units in zip(sorted(firms.items()), _apportion(POOL_UNITS, POOL_FIRMS, rng), strict=True):
        Enterprise.objects.filter(pk=pk).update(cultivation_directory=True)
        lent_on = dt.date(2024, 1, 2) + dt.timedelta(days=rng.randrange(0, 89))
        guarantee.register_loan(None, pool, firm, rng.choice(banks), UNIT * units, lent_on)
    return POOL_FIRMS


def seed_figures(year: int) -> dict[str, Any]:
    """The seed's table from records: filings filed in the year, their demand and investment, and the
    credit and disbursements of their loans; banks and published products."""
    filings = Filing.objects.filter(filed_on__year=year)
    totals = filings.aggregate(n=Count("id"), demand=Sum("loan_demand"), investment=Sum("investment"))
    loans = Loan.objects.filter(filing__in=filings).aggregate(credit=Sum("credit_amount"), disbursed=Sum("disbursed"))
    zero = Decimal("0.00")
    return {"filings": totals["n"], "demand": totals["demand"] or zero, "investment": totals["investment"] or zero,
            "credit": loans["credit"] or zero, "disbursed": loans["disbursed"] or zero,
            "banks": BankProfile.objects.count(), "products": LoanProduct.objects.filter(published=True).count()}


@transaction.atomic
def reset_finance() -> int:
    filings = Filing.objects.filter(approval_number__startswith=MARK)
    loans = Loan.objects.filter(filing__in=filings)
    removed = Repayment.objects.filter(loan__in=loans).delete()[0] + Disbursement.objects.filter(loan__in=loans).delete()[0]
    removed += loans.delete()[0] + filings.delete()[0]
    from shuzhuan.finance.models import GuaranteePool, PoolLoan

    pool = GuaranteePool.objects.filter(code=POOL_CODE).first()
    if pool is not None:  # the ledger is append-only: an adjustment empties the pool's accounts, then its records go
        from shuzhuan.finance import guarantee
        from shuzhuan.finance.models import PoolCompensation
        from shuzhuan.funds import services as ledger
        from shuzhuan.funds.services import Bucket, Kind

        for which in ("deposit", "fees"):
            accounts = guarantee._accounts(pool, which)
            moves = []
            for bucket in (Bucket.AVAILABLE, Bucket.PAID):
                balance = ledger.fresh_balances([accounts[bucket]])[accounts[bucket].pk]
                if balance:
                    moves += [(accounts[bucket], -balance), (accounts[Bucket.FUNDING], balance)]
            if moves:
                ledger.post(Kind.ADJUSTMENT, f"{pool.code}-{which}", None, moves, reference=f"pool:{pool.code}",
                             memo="删除示范数据")

        removed += PoolCompensation.objects.filter(loan__pool=pool).delete()[0]
        removed += PoolLoan.objects.filter(pool=pool).delete()[0] + pool.delete()[0]
    demo_banks = BankProfile.objects.filter(introduction="本市数字贷合作银行（演示）")
    removed += LoanProduct.objects.filter(bank__in=demo_banks).delete()[0]
    removed += demo_banks.delete()[0]
    return removed
