"""The default-risk scorecard (optbinning): held-out AUC and KS on demo-generated firms, IV table, PSI,
and a score reproducible under its stored version."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from shuzhuan.core.models import ApiToken
from shuzhuan.credit import demo, services
from shuzhuan.credit import scorecard as sc
from shuzhuan.credit.models import Consent, ModelVersion


def _population(n: int, seed: int = 1):
    rng = random.Random(seed)
    rows, nxt, y = [], [], []
    for i in range(n):
        by: dict = {}
        for feed, period, values in demo.firm_records(i, Decimal(str(round(rng.lognormvariate(12, 1.2), 2))),
                                                      rng.randint(5, 300), rng):
            by.setdefault(feed, {})[period] = values
        rows.append(sc.features(by, 2023))
        nxt.append(sc.features(by, 2024))
        y.append(int(by["loan_status"]["2024"]["overdue_90"]))
    return rows, nxt, y


@pytest.fixture(scope="module")
def trained():
    rows, nxt, y = _population(4000)
    return sc.train(rows, y, seed=7), rows, nxt


def test_held_out_auc_and_ks(trained):
    t, _rows, _nxt = trained
    assert t.metrics["n_test"] == 1200
    assert t.metrics["ks"] >= 0.3 and t.metrics["auc"] >= 0.7, t.metrics
    ivs = {r["name"]: r["iv"] for r in t.iv_table}
    assert set(ivs) == set(sc.FEATURES) and ivs["arrears_ratio"] > 0.02


def test_psi_and_reproducible_scores(trained):
    t, rows, nxt = trained
    s1 = sc.scores(t.model, rows)
    assert sc.psi(s1, s1) == pytest.approx(0.0, abs=1e-9)
    assert sc.psi(s1, s1 + 100) > 0.25  # a shifted population is flagged
    assert sc.psi(s1, sc.scores(t.model, nxt)) < 0.25
    again = sc.scores(sc.load(t.dump()), rows)
    assert np.array_equal(s1, again)
    assert sc.SCORE_MIN - 1 <= s1.min() and s1.max() <= sc.SCORE_MAX + 1


def test_portrait_scores_under_the_stored_version(world, client, trained):
    t, _rows, _nxt = trained
    mv = ModelVersion.objects.create(version="scorecard-test", target_year=2023, metrics=t.metrics,
                                     iv_table=t.iv_table, fitted=t.dump())
    ent = world.enterprises["a"]
    services.receive("tax", [{"uscc": ent.uscc, "period": "2023", "tax_paid": "800000", "arrears": "0", "grade": "A"},
                             {"uscc": ent.uscc, "period": "2022", "tax_paid": "700000", "arrears": "0", "grade": "A"}], "B")
    Consent.objects.create(enterprise=ent, bank=world.orgs["bank_a"], purpose="credit_application",
                           expires=timezone.localdate() + dt.timedelta(days=5))
    _t, raw = ApiToken.issue(world.users["bank_a"], "t")
    first = client.get(f"/api/v1/finance/portraits/{ent.uscc}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert first["model_version"] == mv.version and 300 <= first["score"] <= 900
    services._FITTED.clear()  # reloaded from the database: the same score
    second = client.get(f"/api/v1/finance/portraits/{ent.uscc}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert second == first


def test_training_refuses_too_little_data(world):
    with pytest.raises(services.CreditError):
        services.train_scorecard(2024)


def test_model_card_page_shows_held_out_metrics(world, login, trained):
    t, rows, nxt = trained
    c = login(world.users["city"])
    assert "shuzhuan train_scorecard" in c.get("/credit/models/").content.decode()
    metrics = {**t.metrics, "psi": sc.psi(sc.scores(t.model, rows), sc.scores(t.model, nxt))}
    ModelVersion.objects.create(version="scorecard-card", target_year=2024, metrics=metrics, iv_table=t.iv_table,
                                fitted=t.dump())
    text = c.get("/credit/models/").content.decode()
    assert "scorecard-card" in text and f"{t.metrics['ks']:.3f}" in text and f"{t.metrics['auc']:.3f}" in text
    assert "arrears_ratio" in text
    assert login(world.users["ent_a"]).get("/credit/models/").status_code == 403
