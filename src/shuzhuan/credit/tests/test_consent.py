"""Consent, fail closed: a bank reads results only, only under an active unexpired consent; every read is
logged and listed to the enterprise; revocation takes effect at once."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from conftest import make_user
from django.utils import timezone

from shuzhuan.core.models import ApiToken
from shuzhuan.credit import domain as cd
from shuzhuan.credit.models import AccessLog, Consent, Outcome
from shuzhuan.finance.models import ComplianceFlag, FlagKind
from shuzhuan.registry.models import EnterpriseYear

RAW_FIELDS = {"tax", "employees", "revenue", "headcount", "penalty", "penalties", "judgment", "judgments",
              "amount", "listed_on", "source", "year", "years", "address", "legal_representative", "contact_phone"}


@pytest.fixture
def setup(world):
    ent = world.enterprises["a"]
    EnterpriseYear.objects.filter(enterprise=ent).delete()
    EnterpriseYear.objects.create(enterprise=ent, year=2023, employees=100, revenue=Decimal("50000000"),
                                  tax=Decimal("1000000.00"))
    EnterpriseYear.objects.create(enterprise=ent, year=2024, employees=70, revenue=Decimal("52000000"),
                                  tax=Decimal("1200000.00"))
    world.users["bank_b"] = make_user("bank_b", "bank", organisation=world.orgs["bank_b"])
    return world


def bearer(user) -> dict[str, str]:
    _token, raw = ApiToken.issue(user, "t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def future(days=30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def grant(client, world, bank="bank_a", expires=None, purpose="credit_application"):
    client.force_login(world.users["ent_a"])
    body = {"bank": world.orgs[bank].uscc, "purpose": purpose, "expires": expires or future()}
    return client.post("/api/v1/finance/consents", json.dumps(body), content_type="application/json")


def test_authorise_read_log_revoke_refuse(setup, client):
    world = setup
    uscc = world.enterprises["a"].uscc
    r = grant(client, world)
    assert r.status_code == 201, r.content
    consent_id = r.json()["id"]
    assert r.json()["status"] == "active" and r.json()["controller_uscc"] == world.orgs["bank_a"].uscc
    assert [h["status"] for h in r.json()["history"]] == ["active"]
    client.logout()

    a, b = bearer(world.users["bank_a"]), bearer(world.users["bank_b"])
    got = client.get(f"/api/v1/finance/portraits/{uscc}", **a)
    assert got.status_code == 200, got.content
    body = got.json()
    assert set(body) == {"score", "band", "grantable_credit", "warnings", "model_version"}
    assert body["grantable_credit"] == "5500000.00"  # 5 × (1.0m + 1.2m) / 2
    assert "参保人数较上年下降超过 20%" in body["warnings"]  # 100 → 70

    refused = client.get(f"/api/v1/finance/portraits/{uscc}", **b)
    assert refused.status_code == 403 and refused.json()["code"] == "consent_required"
    assert AccessLog.objects.count() == 1  # the refused read is not a read

    client.force_login(world.users["ent_a"])
    log = client.get("/api/v1/finance/access-log").json()
    assert [(x["bank_uscc"], x["bank"]) for x in log] == [(world.orgs["bank_a"].uscc, world.orgs["bank_a"].name)]
    assert world.orgs["bank_a"].name in client.get("/credit/access-log/").content.decode()

    revoked = client.delete(f"/api/v1/finance/consents/{consent_id}")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert [h["status"] for h in revoked.json()["history"]] == ["active", "revoked"]
    client.logout()
    again = client.get(f"/api/v1/finance/portraits/{uscc}", **a)
    assert again.status_code == 403 and again.json()["code"] == "consent_required"
    assert client.post(f"/api/v1/finance/portraits/{uscc}/outcome", json.dumps({"decision": "granted", "amount": "1"}),
                       content_type="application/json", **a).status_code == 403


def test_expired_consent_is_refused(setup, client):
    world = setup
    Consent.objects.create(enterprise=world.enterprises["a"], bank=world.orgs["bank_a"], purpose="credit_application",
                           expires=timezone.localdate() - dt.timedelta(days=1))
    r = client.get(f"/api/v1/finance/portraits/{world.enterprises['a'].uscc}", **bearer(world.users["bank_a"]))
    assert r.status_code == 403 and r.json()["code"] == "consent_required"
    assert not cd.consent_active("active", timezone.localdate() - dt.timedelta(days=1), timezone.localdate())
    assert cd.consent_active("active", timezone.localdate(), timezone.localdate())


def test_unknown_firm_is_the_same_refusal_for_a_bank(setup, client):
    r = client.get("/api/v1/finance/portraits/91442000XXXXXXXXXX", **bearer(setup.users["bank_a"]))
    assert r.status_code == 403 and r.json()["code"] == "consent_required"


@pytest.mark.parametrize("body,field", [
    ({"purpose": "credit_application", "expires": "2000-01-01"}, "expires"),
    ({"purpose": "credit_application", "expires": None}, "expires"),
    ({"purpose": "marketing", "expires": "FUTURE"}, "purpose"),
    ({"purpose": "credit_application", "expires": "FAR"}, "expires"),
    ({"purpose": "credit_application", "expires": "not-a-date"}, "expires"),
])
def test_consent_validation(setup, client, body, field):
    world = setup
    client.force_login(world.users["ent_a"])
    body = {"bank": world.orgs["bank_a"].uscc, **body}
    body["expires"] = {"FUTURE": future(), "FAR": future(400)}.get(body["expires"], body["expires"])
    r = client.post("/api/v1/finance/consents", json.dumps(body), content_type="application/json")
    assert r.status_code == 422, r.content
    assert field in [e["field"] for e in r.json()["errors"]]
    assert not Consent.objects.exists()


def test_unknown_bank_is_refused(setup, client):
    client.force_login(setup.users["ent_a"])
    r = client.post("/api/v1/finance/consents", json.dumps({"bank": setup.orgs["provider_a"].uscc,
                                                            "purpose": "credit_application", "expires": future()}),
                    content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "bank"


def _keys(value, prefix=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield f"{prefix}{k}"
            yield from _keys(v, f"{prefix}{k}.")
    elif isinstance(value, list):
        for v in value:
            yield from _keys(v, prefix)


def test_every_field_a_bank_token_reaches_is_a_result(setup, client):
    """Walk every API operation a bank token may call on this firm; no key is a raw record's field, and
    no raw figure (tax, headcount, a listing's source) appears in any response."""
    world = setup
    ComplianceFlag.objects.create(enterprise=world.enterprises["a"], kind=FlagKind.DISHONESTY,
                                  listed_on=dt.date(2024, 1, 1), source="法院失信被执行人名单第 123 号")
    assert grant(client, world).status_code == 201
    client.logout()
    a = bearer(world.users["bank_a"])
    uscc = world.enterprises["a"].uscc
    responses = [client.get(f"/api/v1/finance/portraits/{uscc}", **a),
                 client.post(f"/api/v1/finance/portraits/{uscc}/outcome",
                             json.dumps({"decision": "granted", "amount": "3000000"}),
                             content_type="application/json", **a)]
    for path in ("/api/v1/finance/consents", "/api/v1/finance/access-log"):
        responses.append(client.get(path, **a))
    reached = [r.json() for r in responses if r.status_code < 400]
    assert len(reached) == 2
    portrait = reached[0]
    assert "列入失信或重大税收违法名单" in portrait["warnings"]
    keys = {k.rsplit(".", 1)[-1] for body in reached for k in _keys(body)}
    assert keys == {"score", "band", "grantable_credit", "warnings", "model_version", "id", "decision", "amount",
                    "reason"}
    assert not (set(_keys(portrait)) & RAW_FIELDS)
    text = json.dumps(portrait, ensure_ascii=False)
    for raw in ("1000000", "1200000", "第 123 号", "\"70\"", "\"100\""):
        assert raw not in text
    assert Outcome.objects.get().amount == Decimal("3000000.00")


def test_outcome_validation_and_log(setup, client):
    world = setup
    assert grant(client, world).status_code == 201
    client.logout()
    a = bearer(world.users["bank_a"])
    url = f"/api/v1/finance/portraits/{world.enterprises['a'].uscc}/outcome"
    for body, field in (({"decision": "granted"}, "amount"), ({"decision": "declined"}, "reason"),
                        ({"decision": "maybe"}, "decision"), ({"decision": "granted", "amount": "abc"}, "amount")):
        r = client.post(url, json.dumps(body), content_type="application/json", **a)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, (body, r.content)
    r = client.post(url, json.dumps({"decision": "declined", "reason": "负债率过高"}), content_type="application/json", **a)
    assert r.status_code == 201 and r.json()["amount"] is None


def test_pages_grant_revoke_and_bank_portrait(setup, client):
    world = setup
    client.force_login(world.users["ent_a"])
    r = client.post("/credit/consents/", {"bank": world.orgs["bank_a"].uscc, "purpose": "credit_application",
                                          "expires": future()})
    assert r.status_code == 302
    assert client.post("/credit/consents/", {"bank": world.orgs["bank_a"].uscc, "purpose": "credit_application",
                                             "expires": ""}).status_code == 422
    consent = Consent.objects.get()
    uscc = world.enterprises["a"].uscc
    client.force_login(world.users["bank_a"])
    page = client.get(f"/credit/portraits/{uscc}/")
    assert page.status_code == 200 and "5500000.00" in page.content.decode()
    assert AccessLog.objects.get().channel == "web"
    assert world.enterprises["a"].name in client.get("/credit/portraits/").content.decode()
    client.force_login(world.users["ent_a"])
    assert client.post("/credit/consents/revoke/", {"consent": str(consent.pk)}).status_code == 302
    client.force_login(world.users["bank_a"])
    assert client.get(f"/credit/portraits/{uscc}/").status_code == 403
    client.force_login(world.users["ent_b"])  # another firm cannot revoke (not found in its scope)
    client.post("/credit/consents/revoke/", {"consent": "not-a-uuid"})


def test_domain_rules():
    rules = cd.load_rules()
    years = [cd.Year(2024, Decimal("100"), 10), cd.Year(2023, Decimal("100"), 10)]
    assert cd.grantable_credit(years, rules) == Decimal("500.00")
    assert cd.grantable_credit([], rules) == Decimal("0.00")
    base = cd.portrait(years, False, rules)
    listed = cd.portrait(years, True, rules)
    assert base["score"] == 600 and base["band"] == "B" and listed["score"] < base["score"]
    assert cd.validate_consent("credit_application", dt.date(2025, 1, 2), dt.date(2025, 1, 1), 366) == []
    assert cd.validate_consent("credit_application", dt.date(2026, 1, 3), dt.date(2025, 1, 1), 366)[0][0] == "expires"
