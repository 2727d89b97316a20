from __future__ import annotations

from decimal import Decimal

import pytest

from shuzhuan.core.models import AuditEntry
from shuzhuan.finance import services
from shuzhuan.finance.models import BankBranch, BankProfile, Collateral, LoanProduct

pytestmark = pytest.mark.django_db


def product(bank, name, published=True, **kw):
    data = dict(bank=bank, name=name, rate_min=Decimal("3.20"), rate_max=Decimal("3.85"), term_months_min=12,
                term_months_max=36, amount_min=Decimal("500000.00"), amount_max=Decimal("30000000.00"),
                collateral=Collateral.CREDIT, target_firms="规上制造业企业", published=published)
    data.update(kw)
    return LoanProduct.objects.create(**data)


@pytest.fixture
def banks(world):
    a = BankProfile.objects.create(organisation=world.orgs["bank_a"], short_name="甲行")
    b = BankProfile.objects.create(organisation=world.orgs["bank_b"], short_name="乙行")
    BankBranch.objects.create(bank=b, name="乙行小榄支行", town=world.towns["b"])
    return a, b


def test_public_shelf_lists_published_products_only(world, banks, client):
    a, b = banks
    product(a, "甲行数智贷")
    product(b, "乙行草稿贷", published=False)
    text = client.get("/finance/products/").content.decode()
    assert "甲行数智贷" in text and "乙行草稿贷" not in text
    body = client.get("/api/v1/finance/banks").json()
    shelf = {x["name"]: [p["name"] for p in x["products"]] for x in body}
    assert shelf == {"示范银行甲": ["甲行数智贷"], "示范银行乙": []}
    first = next(x for x in body if x["name"] == "示范银行甲")["products"][0]
    assert first["rate_min"] == "3.20" and first["amount_max"] == "30000000.00"


def test_drafts_reach_the_bank_the_city_and_the_branch_town_only(world, banks, login, client):
    a, b = banks
    draft = product(b, "乙行草稿贷", published=False)
    assert client.get(f"/finance/products/{draft.pk}/").status_code == 404
    assert login(world.users["bank_a"]).get(f"/finance/products/{draft.pk}/").status_code == 404
    assert login(world.users["town_a"]).get(f"/finance/products/{draft.pk}/").status_code == 404
    assert login(world.users["town_b"]).get(f"/finance/products/{draft.pk}/").status_code == 200
    assert login(world.users["city"]).get(f"/finance/products/{draft.pk}/").status_code == 200


def test_bank_creates_and_edits_its_own_product_audited(world, banks, login):
    c = login(world.users["bank_a"])
    form = {"name": "甲行技改贷", "rate_min": "3.10", "rate_max": "3.60", "term_months_min": "12",
            "term_months_max": "60", "amount_min": "1000000", "amount_max": "50000000", "collateral": "mortgage",
            "target_firms": "技改项目", "published": "on"}
    response = c.post("/finance/bank/products/new/", form)
    assert response.status_code == 302
    made = LoanProduct.objects.get(name="甲行技改贷")
    assert made.bank_id == world.orgs["bank_a"].pk and made.published
    assert AuditEntry.objects.filter(action="finance.product.save", target_id=str(made.pk)).count() == 1
    # an inverted range is refused with the reason, nothing saved
    bad = dict(form, name="反向区间", rate_min="4.00", rate_max="3.00")
    response = c.post("/finance/bank/products/new/", bad)
    assert response.status_code == 200 and "年利率上限不得低于下限" in response.content.decode()
    assert not LoanProduct.objects.filter(name="反向区间").exists()
    other = product(banks[1], "乙行贷")
    assert c.get(f"/finance/bank/products/{other.pk}/edit/").status_code == 404
    assert c.get("/finance/bank/products/").content.decode().count("甲行技改贷") == 1


def test_product_service_refuses_another_banks_shelf(world, banks):
    a, b = banks
    data = {f: getattr(product(a, "x"), f) for f in services.PRODUCT_FIELDS}
    with pytest.raises(services.FinanceError):
        services.save_product(world.users["bank_a"], b, data)


def test_me_names_the_token_owner_and_organisation(world, client):
    from shuzhuan.core.models import ApiToken

    _token, raw = ApiToken.issue(world.users["bank_a"], "bank-a")
    r = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200
    assert r.json() == {"username": "bank_a", "role": "bank",
                        "organisation": {"uscc": world.orgs["bank_a"].uscc, "name": "示范银行甲"}}
    assert client.get("/api/v1/me").status_code == 401
    _token, raw = ApiToken.issue(world.users["city"], "city")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["organisation"] is None
