"""The batch path of matching: recommendations for every enterprise at once, with polars.

Same definitions as the single path (`services_match.rank_for` → `domain.matching.Matcher`), so the
numbers are the same integers (tests/test_match_parity.py):

- the offerings are read by the very same `services_match.public_offerings()`;
- each enterprise's official assessment is picked with the same order (on-site first, then the
  newest date, then the newest id), its gap scenarios become two 16-bit masks (约束性 / other) by
  the indicator set's level rule, its open needs one mask of scenarios and the largest budget;
- need, gap and specificity points come from bit counts of mask intersections, budget from comparing
  cents (the stated budget, else the default one from size class and revenue, by the single path's
  own `Weights.default_budget`);
  industry, level, rating and local points depend on few distinct values, so they are taken from
  small tables computed by the single path's own component functions and joined in;
- enterprises with the same inputs (industry, town, level, masks, budget) share one computation:
  the distinct profiles are crossed with the offerings in chunks, each keeps its best `top`.

Output (`recommend_all`): one row per enterprise and rank: `enterprise_id`, `rank` (1-based),
`offering_id`, `total` and one `<component>` column each, all in tenths of a point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import connection

from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment.results import final_result_table
from shuzhuan.marketplace.domain.classify import SCENARIO_CODES
from shuzhuan.marketplace.domain.matching import (
    COMPONENTS,
    EnterpriseFacts,
    Matcher,
    OfferingFacts,
    pilot_price_cents,
    tenths,
)
from shuzhuan.marketplace.models import Need
from shuzhuan.marketplace.services import match as svc
from shuzhuan.registry.models import Enterprise

BIT = {code: 1 << i for i, code in enumerate(SCENARIO_CODES)}
NO_LEVEL = -1  # join key for "not assessed"
NO_TOWN = -1
PAIRS_PER_CHUNK = 2_000_000
PROFILE_KEY = ["industry_code", "town_key", "level_key", "gap_m", "gap_o", "need_mask", "budget_cents"]
SIZE_KEY = ["size_class", "revenue_cents"]


def mask(codes: Sequence[str]) -> int:
    return sum(BIT[c] for c in set(codes) if c in BIT)


def _rows(sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _select(model: type, fields: Sequence[str], where: str = "") -> str:
    """`SELECT <columns> FROM <table>` with the table and column names the model declares (quoted),
    so a renamed column or table cannot leave this raw SQL behind. `where` names fields as {field}."""
    quote = connection.ops.quote_name
    meta = model._meta  # type: ignore[attr-defined]
    columns = {name: quote(meta.get_field(name).column) for name in fields}
    sql = f"SELECT {', '.join(columns.values())} FROM {quote(meta.db_table)}"  # noqa: S608 (names from the model)
    if where:
        sql += " WHERE " + where.format(**{f.name: quote(f.column) for f in meta.concrete_fields})
    return sql


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


# --- inputs -----------------------------------------------------------------------------------------------
def enterprise_frame() -> pl.DataFrame:
    rows = _rows(_select(Enterprise, ("organisation", "industry", "town", "size_class", "revenue")))
    rows = [(e, i, t, s or "", None if r is None else int(Decimal(str(r)) * 100)) for e, i, t, s, r in rows]
    return pl.DataFrame(rows, schema={"enterprise_id": pl.Int64, "industry_code": pl.String, "town_id": pl.Int64,
                                      "size_class": pl.String, "revenue_cents": pl.Int64},
                        orient="row").with_columns(pl.col("industry_code").fill_null(""))


def default_budgets(ents: pl.DataFrame, m: Matcher) -> pl.DataFrame:
    """size_class, revenue_cents → default_cents, by the single path's own rule (one call per distinct pair)."""
    rows = []
    for size, cents in ents.select(SIZE_KEY).unique().iter_rows():
        budget = m.weights.default_budget(size, None if cents is None else Decimal(cents) / 100)
        rows.append((size, cents, None if budget is None else int(budget * 100)))
    return pl.DataFrame(rows, schema={"size_class": pl.String, "revenue_cents": pl.Int64, "default_cents": pl.Int64},
                        orient="row")


def official_frame() -> pl.DataFrame:
    """The official assessment per enterprise: enterprise_id, level, scenarios (JSON text), indicator_set."""
    rows = final_result_table()
    frame = pl.DataFrame(
        [(e, i, onsite, _date(d), lvl, s if isinstance(s, str) else _json(s), ind)
         for e, i, onsite, d, lvl, s, ind in rows],
        schema={"enterprise_id": pl.Int64, "id": pl.Int64, "onsite": pl.Int8, "assessed_on": pl.Date,
                "level": pl.Int64, "scenarios": pl.String, "indicator_set": pl.String},
        orient="row",
    )
    return (frame.sort(["enterprise_id", "onsite", "assessed_on", "id"], descending=[False, True, True, True])
            .unique(subset="enterprise_id", keep="first", maintain_order=True)
            .drop("id", "onsite", "assessed_on"))


def _json(value: Any) -> str:
    import json

    return json.dumps(value if value is not None else {})


def gap_masks(official: pl.DataFrame) -> pl.DataFrame:
    """enterprise_id, level_key, gap_m, gap_o: the scenario gaps as bit masks, per indicator set's rule."""
    parts = []
    for set_id in official["indicator_set"].unique().to_list():
        rows = official.filter(pl.col("indicator_set") == set_id)
        try:
            s = indicator_sets.load(set_id)
        except indicator_sets.UnknownIndicatorSet:
            s = None
        has_scen = pl.col("scenarios").is_not_null() & ~pl.col("scenarios").str.strip_chars().is_in(["{}", "", "null"])
        if s is None or not s.scenarios or not s.level_rule.levels:
            parts.append(rows.select("enterprise_id", "level", gap_m=pl.lit(0, pl.Int64), gap_o=pl.lit(0, pl.Int64)))
            continue
        top = s.level_rule.levels[-1].level
        required = {lvl: (s.level_rule.requirement(min(lvl + 1, top)) or s.level_rule.levels[-1]).scenario_level
                    for lvl in range(0, top + 1)}
        codes = [sc.code for sc in s.scenarios]
        decoded = rows.with_columns(
            pl.col("scenarios").str.json_decode(pl.Struct({c: pl.Int64 for c in codes})).alias("_s"),
            pl.col("level").clip(0, top).replace_strict(required, default=0, return_dtype=pl.Int64).alias("_req"),
        ).unnest("_s")
        ok = has_scen & pl.col("level").is_not_null() & (pl.col("_req") > 0)

        def bits(mandatory: bool, codes: list[str] = codes, s: Any = s) -> pl.Expr:
            terms = [pl.when(pl.col(c).fill_null(0) < pl.col("_req")).then(pl.lit(BIT.get(c, 0), pl.Int64)).otherwise(0)
                     for c in codes if s.scenario_index[c].mandatory == mandatory]
            return pl.sum_horizontal(terms) if terms else pl.lit(0, pl.Int64)

        parts.append(decoded.select(
            "enterprise_id", "level",
            gap_m=pl.when(ok).then(bits(True)).otherwise(0).cast(pl.Int64),
            gap_o=pl.when(ok).then(bits(False)).otherwise(0).cast(pl.Int64),
        ))
    if not parts:
        return pl.DataFrame(schema={"enterprise_id": pl.Int64, "level": pl.Int64, "gap_m": pl.Int64, "gap_o": pl.Int64})
    return pl.concat(parts)


def need_frame() -> pl.DataFrame:
    """enterprise_id, need_mask, budget_cents over each enterprise's open needs."""
    acc: dict[int, list[Any]] = {}
    for ent, scenarios, budget in Need.objects.filter(status__in=svc.OPEN_NEED_STATUSES).values_list(
            "enterprise_id", "scenarios", "budget").iterator(chunk_size=10_000):
        entry = acc.setdefault(ent, [0, None])
        entry[0] |= mask(scenarios or ())
        if budget is not None:
            cents = int(Decimal(budget) * 100)
            entry[1] = cents if entry[1] is None else max(entry[1], cents)
    return pl.DataFrame([(k, v[0], v[1]) for k, v in acc.items()],
                        schema={"enterprise_id": pl.Int64, "need_mask": pl.Int64, "budget_cents": pl.Int64}, orient="row")


@dataclass
class Inputs:
    enterprises: pl.DataFrame  # enterprise_id + PROFILE_KEY columns
    offerings: Sequence[OfferingFacts]


def load_inputs() -> Inputs:
    ents = enterprise_frame()
    gaps = gap_masks(official_frame())
    needs = need_frame()
    defaults = default_budgets(ents, svc.matcher(with_industry_names=False))
    frame = (ents.join(gaps, on="enterprise_id", how="left").join(needs, on="enterprise_id", how="left")
             .join(defaults, on=SIZE_KEY, how="left", nulls_equal=True)
             .with_columns(
                 town_key=pl.col("town_id").fill_null(NO_TOWN),
                 level_key=pl.col("level").fill_null(NO_LEVEL),
                 gap_m=pl.col("gap_m").fill_null(0), gap_o=pl.col("gap_o").fill_null(0),
                 need_mask=pl.col("need_mask").fill_null(0),
                 budget_cents=pl.coalesce("budget_cents", "default_cents"),  # the stated budget, else the default
             ).select("enterprise_id", *PROFILE_KEY))
    return Inputs(frame, svc.public_offerings())


# --- the small per-value tables, from the single path's own component functions --------------------------------------
def _facts(industry: str = "", town: int | None = None, level: int | None = None) -> EnterpriseFacts:
    return EnterpriseFacts(industry=industry, town_id=town, level=level, gaps=None)


def _table(m: Matcher, offerings: Sequence[OfferingFacts], key: str, values: Sequence[Any],
           facts: Callable[[Any], EnterpriseFacts], component: str) -> pl.DataFrame:
    points = m.weights.points[component]
    fn = getattr(m, component)
    rows = []
    for value in values:
        f = facts(value)
        for off in offerings:
            num, den, _why = fn(f, off, False)
            rows.append((value, off.id, tenths(points, num, den)))
    return pl.DataFrame(rows, schema={key: pl.String if key == "industry_code" else pl.Int64, "offering_id": pl.Int64,
                                      component: pl.Int64}, orient="row")


def offering_frame(m: Matcher, offerings: Sequence[OfferingFacts]) -> pl.DataFrame:
    w = m.weights
    rows = []
    for off in offerings:
        num, den, _ = m.rating(_facts(), off, False)
        rows.append((off.id, mask(tuple(off.scenarios)), pilot_price_cents(off.price_min, off.pilot_discount),
                     tenths(w.points["rating"], num, den)))
    return pl.DataFrame(rows, schema={"offering_id": pl.Int64, "off_mask": pl.Int64, "price_cents": pl.Int64,
                                      "rating": pl.Int64}, orient="row")


def _count(expr: pl.Expr) -> pl.Expr:
    return expr.bitwise_count_ones().cast(pl.Int64)


def _lookup(table: pl.DataFrame, key: str, keys: list[Any], off_index: dict[int, int], component: str) -> pl.Series:
    """A small table (value × offering → points) as a flat array indexed by key position × offerings + offering position."""
    position = {k: i for i, k in enumerate(keys)}
    flat = [0] * (len(keys) * len(off_index))
    for k, off, points in table.select(key, "offering_id", component).iter_rows():
        flat[position[k] * len(off_index) + off_index[off]] = points
    return pl.Series(component, flat, dtype=pl.Int64)


def _components(lookups: dict[str, pl.Series], m: Matcher, n_off: int) -> list[pl.Expr]:
    """The eight components of a (profile, offering) pair, in tenths, as expressions."""
    w = m.weights
    p_need, p_gap, p_budget, p_spec = w.points["need"], w.points["gap"], w.points["budget"], w.points["specificity"]
    su_num, su_den = w.specificity_unknown
    focus = pl.when(pl.col("need_mask") != 0).then(pl.col("need_mask")).otherwise(pl.col("gap_m") | pl.col("gap_o"))
    spec_num = (pl.when(focus == 0).then(su_num).when(pl.col("off_mask") == 0).then(0)
                .otherwise(_count(pl.col("off_mask") & focus)))
    spec_den = (pl.when(focus == 0).then(su_den).when(pl.col("off_mask") == 0).then(1)
                .otherwise(_count(pl.col("off_mask"))))
    bu_num, bu_den = w.budget_unknown
    need_num = _count(pl.col("need_mask") & pl.col("off_mask"))
    need_den = _count(pl.col("need_mask"))
    units = (_count(pl.col("gap_m") & pl.col("off_mask")) * w.mandatory_units
             + _count(pl.col("gap_o") & pl.col("off_mask")) * w.optional_units)
    gap_num = pl.min_horizontal(units, pl.lit(w.saturation))
    budget_known = pl.col("budget_cents").is_not_null() & pl.col("price_cents").is_not_null()
    budget_num = pl.when(budget_known).then((pl.col("price_cents") <= pl.col("budget_cents")).cast(pl.Int64)).otherwise(bu_num)
    budget_den = pl.when(budget_known).then(1).otherwise(bu_den)

    def t(points: int, num: pl.Expr, den: pl.Expr) -> pl.Expr:
        return (2 * points * 10 * num + den) // (2 * den)

    def gather(component: str, index: str) -> pl.Expr:
        return pl.lit(lookups[component]).gather(pl.col(index) * n_off + pl.col("off_idx")).alias(component)

    return [
        pl.when(pl.col("need_mask") == 0).then(0).otherwise(t(p_need, need_num, need_den)).alias("need"),
        t(p_gap, gap_num, pl.lit(w.saturation)).alias("gap"),
        gather("industry", "industry_idx"),
        gather("level", "level_idx"),
        t(p_budget, budget_num, budget_den).alias("budget"),
        t(p_spec, spec_num, spec_den).alias("specificity"),
        pl.col("rating"),
        gather("local", "town_idx"),
    ]


LOW = (1 << 32) - 1  # a packed key: total in the high bits, (LOW − offering position) in the low bits


def _score_chunk(profiles: pl.DataFrame, offers: pl.DataFrame, lookups: dict[str, pl.Series], m: Matcher,
                 top: int) -> pl.DataFrame:
    """The best `top` offerings per profile: totals for every candidate pair, the best kept by a packed
    key (total descending, then offering id ascending), their components computed again for the output."""
    comps = _components(lookups, m, offers.height)
    interest = pl.col("need_mask") | pl.col("gap_m") | pl.col("gap_o")
    keys = (
        profiles.lazy().join(offers.lazy(), how="cross")
        .filter((interest == 0) | ((pl.col("off_mask") & interest) != 0))
        .select("profile", key=pl.sum_horizontal(comps) * (1 << 32) + (LOW - pl.col("off_idx")))
        .group_by("profile").agg(pl.col("key").top_k(top)).explode("key")
        .with_columns(off_idx=LOW - (pl.col("key") & LOW))
    )
    best = (keys.join(profiles.lazy(), on="profile").join(offers.lazy(), on="off_idx")
            .with_columns(comps).with_columns(total=pl.sum_horizontal([pl.col(c) for c in COMPONENTS]))
            .collect())
    return (best.sort(["profile", "key"], descending=[False, True])
            .with_columns(rank=pl.int_range(1, pl.len() + 1).over("profile"))
            .select("profile", "rank", "offering_id", "total", *COMPONENTS))


def recommend_all(top: int | None = None, inputs: Inputs | None = None) -> pl.DataFrame:
    """The best `top` offerings for every enterprise (see the module docstring for the columns)."""
    inputs = inputs or load_inputs()
    m = svc.matcher(with_industry_names=False)
    top = top or m.weights.top
    schema = {"enterprise_id": pl.Int64, "rank": pl.Int64, "offering_id": pl.Int64, "total": pl.Int64,
              **{c: pl.Int64 for c in COMPONENTS}}
    if not inputs.offerings or inputs.enterprises.is_empty():
        return pl.DataFrame(schema=schema)
    ents = inputs.enterprises
    profiles = ents.select(PROFILE_KEY).unique(maintain_order=True).with_row_index("profile")
    offerings = inputs.offerings
    industries = profiles["industry_code"].unique().sort().to_list()
    levels = [NO_LEVEL, 0, 1, 2, 3, 4]
    town_keys = profiles["town_key"].unique().sort().to_list()
    off_index = {o.id: i for i, o in enumerate(offerings)}
    lookups = {
        "industry": _lookup(_table(m, offerings, "industry_code", industries, lambda v: _facts(industry=v), "industry"),
                            "industry_code", industries, off_index, "industry"),
        "level": _lookup(_table(m, offerings, "level_key", levels, lambda v: _facts(level=None if v == NO_LEVEL else v), "level"),
                         "level_key", levels, off_index, "level"),
        "local": _lookup(_table(m, offerings, "town_key", town_keys, lambda v: _facts(town=None if v == NO_TOWN else v), "local"),
                         "town_key", town_keys, off_index, "local"),
    }
    profiles = profiles.with_columns(
        industry_idx=pl.col("industry_code").replace_strict({k: i for i, k in enumerate(industries)}, return_dtype=pl.Int64),
        level_idx=pl.col("level_key").replace_strict({k: i for i, k in enumerate(levels)}, return_dtype=pl.Int64),
        town_idx=pl.col("town_key").replace_strict({k: i for i, k in enumerate(town_keys)}, return_dtype=pl.Int64),
    )
    offers = offering_frame(m, offerings).with_columns(off_idx=pl.Series([off_index[o.id] for o in offerings], dtype=pl.Int64))
    step = max(1, PAIRS_PER_CHUNK // max(1, len(offerings)))
    parts = [_score_chunk(profiles.slice(start, step), offers, lookups, m, top)
             for start in range(0, profiles.height, step)]
    best = pl.concat(parts)
    keyed = ents.join(profiles.select(*PROFILE_KEY, "profile"), on=PROFILE_KEY, how="left", nulls_equal=True).select(
        "enterprise_id", "profile")
    return (keyed.join(best, on="profile", how="inner").drop("profile")
            .sort(["enterprise_id", "rank"]).select(list(schema)).cast(schema))
