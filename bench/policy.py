"""The policy engine: batch (polars) vs the single path without traces, and vs OpenFisca.

A synthetic population of N enterprises (SHUZHUAN_BENCH_ENTERPRISES, default 1,000,000) with the
facts every enterprise policy of the package reads is generated once (numpy, seeded). Amounts are
whole yuan so that OpenFisca's int32 variables hold them exactly; the frame holds them in cents.

1. Batch: every enterprise policy (`subject: enterprise`) over the whole frame in one polars query.
   Single: `evaluate(..., trace=False)` (the same code without the trace, DESIGN decision 9) for each
   policy on the first SHUZHUAN_BENCH_SINGLE_SAMPLE subjects (default 20,000), read from the same
   frame beforehand; its rate is extrapolated. Parity is checked on the sample.
2. OpenFisca (`openfisca-core`, the `bench` extra): three equivalent rules (demo workshop, demo
   factory with the difference rule, chain collaboration with its lifetime cap) as OpenFisca
   variables with dated parameters, over the same population. Both sides are timed from the same
   numpy arrays (OpenFisca: build the simulation, set inputs, calculate; ours: build the frame and
   evaluate the three in one query), after building their rule systems. Results are compared element-wise.

Peak memory: the Python heap during the batch run (tracemalloc) and the process's peak RSS.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import time

import numpy as np
import polars as pl

from bench._util import measure
from shuzhuan.policy import facts, library
from shuzhuan.policy.domain.engine import amount_from_cents, evaluate, evaluate_many

NAME = "policy"
SEED = 2024
ON = dt.date(2025, 6, 1)
OPENFISCA_RULES = ("zs-demo-workshop", "zs-demo-factory", "zs-chain-collaboration")


def population(n: int, seed: int = SEED) -> dict[str, np.ndarray]:
    """Whole-yuan facts as int32 arrays (what OpenFisca reads)."""
    rng = np.random.default_rng(seed)
    workshop = np.where(rng.random(n) < 0.3, rng.integers(1, 2_000_001, n), 0)
    return {
        "approved_amount": rng.integers(0, 8_000_001, n).astype(np.int32),
        "workshops_awarded_before": (rng.random(n) < 0.2).astype(np.int32),
        "workshop_award_received": workshop.astype(np.int32),
        "awarded_before": np.where(rng.random(n) < 0.4, rng.integers(0, 20_000_001, n), 0).astype(np.int32),
        "expert_score": rng.integers(40, 101, n).astype(np.int32),
    }


def fact_frame(arrays: dict[str, np.ndarray]) -> pl.DataFrame:
    """The engine's frame: money in cents (Int64), counts as Int64, a subject id per row."""
    n = len(next(iter(arrays.values())))
    catalog = facts.catalog()
    columns = {"subject": pl.int_range(0, n, eager=True).cast(pl.Utf8)}
    for key, values in arrays.items():
        series = pl.Series(key, values, dtype=pl.Int64)
        columns[key] = series * 100 if catalog[key].type == "money" else series
    return pl.DataFrame(columns)


def _openfisca_system():
    from openfisca_core.entities import build_entity
    from openfisca_core.parameters import ParameterNode
    from openfisca_core.periods import DateUnit
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    enterprise = build_entity(key="enterprise", plural="enterprises", label="企业", is_person=True)
    since = "2022-02-15"
    system = TaxBenefitSystem([enterprise])
    system.parameters = ParameterNode("", data={
        "workshop": {"cap": {"values": {since: 2_000_000}}, "max_per_enterprise": {"values": {since: 1}}},
        "factory": {"cap": {"values": {since: 5_000_000}}},
        "chain": {"cap": {"values": {since: 15_000_000}}},
    })

    def given(name: str, **extra) -> type:
        return type(name, (Variable,), {"value_type": int, "entity": enterprise, "definition_period": DateUnit.YEAR,
                                        "label": name, **extra})

    def workshop(e, period, parameters):
        p = parameters(period.start).workshop
        approved = e("approved_amount", period)
        eligible = (e("workshops_awarded_before", period) < p.max_per_enterprise) & (approved > 0)
        return np.where(eligible, np.minimum(approved, p.cap), 0)

    def factory(e, period, parameters):
        p = parameters(period.start).factory
        approved = e("approved_amount", period)
        amount = np.maximum(np.minimum(approved, p.cap) - e("workshop_award_received", period), 0)
        return np.where(approved > 0, amount, 0)

    def chain(e, period, parameters):
        p = parameters(period.start).chain
        approved = e("approved_amount", period)
        room = np.maximum(p.cap - e("awarded_before", period), 0)
        return np.where(approved > 0, np.minimum(approved, room), 0)

    for name in ("approved_amount", "workshops_awarded_before", "workshop_award_received", "awarded_before"):
        system.add_variable(given(name))
    for name, formula in (("zs_demo_workshop", workshop), ("zs_demo_factory", factory),
                          ("zs_chain_collaboration", chain)):
        system.add_variable(given(name, formula=formula))
    return system


def _openfisca_run(system, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    from openfisca_core.simulation_builder import SimulationBuilder

    n = len(arrays["approved_amount"])
    simulation = SimulationBuilder().build_default_simulation(system, count=n)
    year = str(ON.year)
    for name in ("approved_amount", "workshops_awarded_before", "workshop_award_received", "awarded_before"):
        simulation.set_input(name, year, arrays[name])
    return {code: simulation.calculate(code.replace("-", "_"), year) for code in OPENFISCA_RULES}


def run() -> dict:
    n = int(os.environ.get("SHUZHUAN_BENCH_ENTERPRISES", "1000000"))
    sample = min(n, int(os.environ.get("SHUZHUAN_BENCH_SINGLE_SAMPLE", "20000")))
    catalog = facts.catalog()
    versions = [p.version_on(ON) for p in library.all_policies() if p.subject == "enterprise"]
    t0 = time.perf_counter()
    arrays = population(n)
    frame = fact_frame(arrays)
    generate_s = time.perf_counter() - t0

    batch, batch_s, peak = measure(lambda: evaluate_many(versions, ON, frame))

    rows = frame.head(sample).rows(named=True)
    money = {k for k in frame.columns if k != "subject" and catalog[k].type == "money"}
    subjects = [{k: (amount_from_cents(v) if k in money else v) for k, v in row.items() if k != "subject"}
                for row in rows]
    t0 = time.perf_counter()
    single = [[evaluate(v, ON, s, catalog, trace=False).amount for v in versions] for s in subjects]
    single_s = time.perf_counter() - t0
    head = batch.head(sample)
    mismatches = sum(
        amount_from_cents(cents) != row[i]
        for i, v in enumerate(versions) for cents, row in zip(head[f"{v.policy}.amount_cents"], single, strict=True)
    )

    evaluations = n * len(versions)
    batch_rate, single_rate = evaluations / batch_s, sample * len(versions) / single_s
    result = {
        "enterprises": n,
        "policies": [v.policy for v in versions],
        "generate_s": round(generate_s, 2),
        "batch_s": round(batch_s, 3),
        "batch_evaluations_per_s": round(batch_rate),
        "single_sample": sample,
        "single_s": round(single_s, 3),
        "single_evaluations_per_s": round(single_rate),
        "ratio": round(batch_rate / single_rate, 1),
        "target_ratio": 50,
        "parity_mismatches_in_sample": mismatches,
        "batch_peak_python_heap_mb": round(peak / 2**20, 1),
    }
    try:
        system = _openfisca_system()
    except ImportError:  # the `bench` extra: make bench installs it
        return {**result, "ratio_vs_openfisca": None, "openfisca": "openfisca-core not installed",
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    theirs, openfisca_s, _ = measure(lambda: _openfisca_run(system, arrays))
    equivalent = [library.load(code).version_on(ON) for code in OPENFISCA_RULES]
    ours, ours_s, _ = measure(lambda: evaluate_many(equivalent, ON, fact_frame(arrays)))
    openfisca_mismatches = sum(
        int((ours[f"{v.policy}.amount_cents"].to_numpy() != theirs[v.policy].astype(np.int64) * 100).sum())
        for v in equivalent
    )
    return {
        **result,
        "openfisca_rules": list(OPENFISCA_RULES),
        "openfisca_s": round(openfisca_s, 3),
        "ours_same_rules_s": round(ours_s, 3),
        "ratio_vs_openfisca": round(openfisca_s / ours_s, 2),
        "target_ratio_vs_openfisca": 2,
        "openfisca_mismatches": openfisca_mismatches,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
