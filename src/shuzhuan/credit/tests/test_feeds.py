"""Public-data feeds: formats declared in data, records with provenance, warnings computed inside the
domain, and a demo of 18 departments with a planted default that the latent risk drives."""

from __future__ import annotations

import json
import random
from decimal import Decimal

import pytest

from shuzhuan.core.models import ApiToken
from shuzhuan.credit import demo, services
from shuzhuan.credit import domain as cd
from shuzhuan.credit.models import Consent, PublicRecord


def test_feeds_declare_18_departments_and_valid_types():
    feeds = cd.load_feeds()
    assert len({f["department"] for f in feeds.values()}) == 18
    assert all(t in cd.TYPES for f in feeds.values() for t in f["fields"].values())


def test_parse_row_names_each_bad_field():
    spec = cd.load_feeds()["tax"]
    values, errors = cd.parse_row({"uscc": "x", "period": "2024", "tax_paid": "12.5", "arrears": "0", "grade": "A"}, spec)
    assert values == {"tax_paid": "12.50", "arrears": "0.00", "grade": "A"} and errors == []
    _values, errors = cd.parse_row({"period": "24", "tax_paid": "abc", "extra": 1}, spec)
    assert {f for f, _m in errors} == {"period", "tax_paid", "extra"}
    assert cd.parse_value("NaN", "decimal")[1] and cd.parse_value("是", "bool") == (True, "")


def test_receive_keeps_provenance_and_is_all_or_nothing(world):
    a = world.enterprises["a"].uscc
    with pytest.raises(services.CreditError) as bad:
        services.receive("tax", [{"uscc": a, "period": "2024", "tax_paid": "1"},
                                 {"uscc": "NOPE", "period": "2024", "tax_paid": "x"}], "B1")
    assert {f for f, _m in bad.value.errors} == {"rows[2].uscc", "rows[2].tax_paid"}
    assert not PublicRecord.objects.exists()
    assert services.receive("tax", [{"uscc": a, "period": "2024", "tax_paid": "1", "arrears": "5"}], "B1") == \
        {"created": 1, "updated": 0}
    assert services.receive("tax", [{"uscc": a, "period": "2024", "tax_paid": "2", "arrears": "5"}], "B2") == \
        {"created": 0, "updated": 1}
    r = PublicRecord.objects.get()
    assert (r.department, r.batch, r.values["tax_paid"]) == ("市税务局", "B2", "2.00")
    with pytest.raises(services.CreditError):
        services.receive("horoscope", [], "B3")


def test_records_drive_warnings_but_never_reach_the_bank(world, client):
    import datetime as dt

    from django.utils import timezone

    ent = world.enterprises["a"]
    services.receive("tax", [{"uscc": ent.uscc, "period": "2024", "tax_paid": "777777.77", "arrears": "4321.00"}], "B")
    services.receive("judgments", [{"uscc": ent.uscc, "period": "2024", "judgments": "2", "enforcement": "0"}], "B")
    services.receive("dishonesty", [{"uscc": ent.uscc, "period": "2024", "listed": "是"}], "B")
    Consent.objects.create(enterprise=ent, bank=world.orgs["bank_a"], purpose="credit_application",
                           expires=timezone.localdate() + dt.timedelta(days=5))
    _t, raw = ApiToken.issue(world.users["bank_a"], "t")
    body = client.get(f"/api/v1/finance/portraits/{ent.uscc}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert {"存在欠税", "近期有涉诉判决或被执行记录", "列入失信或重大税收违法名单"} <= set(body["warnings"])
    text = json.dumps(body, ensure_ascii=False)
    assert "777777" not in text and "4321" not in text and "市税务局" not in text
    assert not PublicRecord.objects.visible_to(world.users["bank_a"]).exists()
    assert PublicRecord.objects.visible_to(world.users["ent_a"]).count() == 3


def test_demo_plants_a_default_the_latent_risk_explains(world, monkeypatch):
    firms = [(world.enterprises["a"].pk, Decimal("300000"), 40), (world.enterprises["b"].pk, Decimal("0"), 0)]
    monkeypatch.setattr(demo, "_firms", lambda: firms)
    out = demo.generate_credit(seed=7)
    feeds = cd.load_feeds()
    assert out["records"] == PublicRecord.objects.count() == 2 * (17 * len(demo.YEARS) + 1)
    assert set(PublicRecord.objects.values_list("feed", flat=True)) == set(feeds)
    for r in PublicRecord.objects.all():  # every demo record matches its declared format
        _v, errors = cd.parse_row({**{k: ("" if v is None else v) for k, v in r.values.items()}, "period": r.period},
                                  feeds[r.feed])
        assert errors == [], (r.feed, errors)
    assert demo.present() and demo.generate_credit(seed=7) == {}
    assert demo.reset_credit() == out["records"]
    # correlation: firms that default had more arrears and judgments than those that did not
    rng = random.Random(1)
    bad = good = 0
    signals = {True: 0, False: 0}
    for i in range(3000):
        rec = demo.firm_records(i, Decimal("500000"), 50, rng)
        default = next(v for f, _p, v in rec if f == "loan_status")["overdue_90"]
        bad += default
        good += not default
        signals[default] += sum(1 for f, _p, v in rec if (f == "tax" and Decimal(v["arrears"]) > 0)
                                or (f == "judgments" and v["judgments"] + v["enforcement"]))
    assert 0.03 < bad / 3000 < 0.15
    assert signals[True] / bad > 2 * signals[False] / good
