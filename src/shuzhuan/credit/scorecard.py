"""Default-risk scorecard: WOE binning + logistic regression with optbinning (BinningProcess, Scorecard),
trained on one period's features against the next year's planted default, evaluated on a held-out split.
No Django here: features come in as {feed: {period: values}} per firm."""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

FEATURES = ["log_tax", "tax_growth", "arrears_ratio", "headcount_change", "kwh_change", "judgments", "enforcement",
            "housing_arrears", "abnormal", "patents", "grade", "high_tech", "listed"]
CATEGORICAL = ["grade"]
SCORE_MIN, SCORE_MAX = 300, 900


def _num(v: Any) -> float:
    try:
        return float(Decimal(str(v))) if v not in (None, "") else float("nan")
    except ArithmeticError:
        return float("nan")


def _change(new: float, old: float) -> float:
    return (new - old) / old if old and not math.isnan(old) and not math.isnan(new) else float("nan")


def features(records: dict[str, dict[str, dict]], year: int) -> dict[str, Any]:
    """Indicators of one firm as of `year` (and its change on `year - 1`)."""
    cur, prev = str(year), str(year - 1)

    def get(feed: str, period: str, field: str) -> Any:
        return records.get(feed, {}).get(period, {}).get(field)

    tax, tax_prev = _num(get("tax", cur, "tax_paid")), _num(get("tax", prev, "tax_paid"))
    arrears = _num(get("tax", cur, "arrears"))
    return {
        "log_tax": math.log10(tax + 1) if not math.isnan(tax) else float("nan"),
        "tax_growth": _change(tax, tax_prev),
        "arrears_ratio": arrears / tax if tax and not math.isnan(arrears) else float("nan"),
        "headcount_change": _change(_num(get("social_insurance", cur, "headcount")),
                                    _num(get("social_insurance", prev, "headcount"))),
        "kwh_change": _change(_num(get("electricity", cur, "kwh")), _num(get("electricity", prev, "kwh"))),
        "judgments": _num(get("judgments", cur, "judgments")),
        "enforcement": _num(get("judgments", cur, "enforcement")),
        "housing_arrears": float(bool(get("housing_fund", cur, "arrears"))),
        "abnormal": float(bool(get("registration", cur, "abnormal_operation"))),
        "patents": _num(get("ip", cur, "patents")),
        "grade": str(get("tax", cur, "grade") or "missing"),
        "high_tech": float(bool(get("rnd", cur, "high_tech"))),
        "listed": float(bool(get("dishonesty", cur, "listed"))),
    }


def frame(rows: list[dict[str, Any]]):
    import pandas as pd

    return pd.DataFrame(rows, columns=FEATURES)


@dataclass
class Trained:
    model: Any
    metrics: dict[str, float]
    iv_table: list[dict[str, Any]]

    def dump(self) -> bytes:
        return pickle.dumps(self.model)


def ks_auc(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    from sklearn.metrics import roc_auc_score, roc_curve

    fpr, tpr, _t = roc_curve(y, p)
    return float(np.max(tpr - fpr)), float(roc_auc_score(y, p))


def psi(expected: np.ndarray, actual: np.ndarray, bins: int = 10) -> float:
    """Population stability index of two score samples over the expected sample's deciles."""
    edges = np.unique(np.quantile(expected, np.linspace(0, 1, bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    e = np.histogram(expected, edges)[0] / len(expected)
    a = np.histogram(actual, edges)[0] / len(actual)
    e, a = np.clip(e, 1e-6, None), np.clip(a, 1e-6, None)
    return float(np.sum((a - e) * np.log(a / e)))


def train(rows: list[dict[str, Any]], y: list[int], seed: int = 2024, test_size: float = 0.3) -> Trained:
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    X = frame(rows)
    target = np.asarray(y, dtype=int)
    X_tr, X_te, y_tr, y_te = train_test_split(X, target, test_size=test_size, random_state=seed, stratify=target)
    binning = BinningProcess(variable_names=FEATURES, categorical_variables=CATEGORICAL,
                             selection_criteria={"iv": {"min": 0.02}})
    model = Scorecard(binning_process=binning, estimator=LogisticRegression(max_iter=1000),
                      scaling_method="min_max", scaling_method_params={"min": SCORE_MIN, "max": SCORE_MAX})
    model.fit(X_tr, y_tr)
    ks_tr, auc_tr = ks_auc(y_tr, model.predict_proba(X_tr)[:, 1])
    ks, auc = ks_auc(y_te, model.predict_proba(X_te)[:, 1])
    summary = model.binning_process_.summary()
    iv_table = [{"name": str(r["name"]), "iv": round(float(r["iv"]), 4), "n_bins": int(r["n_bins"]),
                 "selected": bool(r["selected"])} for _i, r in summary.sort_values("iv", ascending=False).iterrows()]
    return Trained(model, {"auc": auc, "ks": ks, "auc_train": auc_tr, "ks_train": ks_tr, "n_train": len(y_tr),
                           "n_test": len(y_te), "default_rate": float(target.mean())}, iv_table)


def scores(model: Any, rows: list[dict[str, Any]]) -> np.ndarray:
    return np.asarray(model.score(frame(rows)), dtype=float)


def load(blob: bytes) -> Any:
    return pickle.loads(blob)  # noqa: S301 - our own fitted model, written by `train_scorecard` into our database
