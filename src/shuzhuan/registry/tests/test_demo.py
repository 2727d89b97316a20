"""The demo city's registry: deterministic, valid, plausible, and safe to run twice."""

from __future__ import annotations

import csv
import io
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.management import call_command

from shuzhuan.core.models import Town
from shuzhuan.registry import demo, services
from shuzhuan.registry.domain import validate_uscc
from shuzhuan.registry.models import Enterprise, EnterpriseYear, IndustryClass

CAL = demo.calibration()


def generate(count: int, seed: int = 7) -> list[demo.DemoEnterprise]:
    return list(demo.CityGenerator(CAL, seed).enterprises(count))


@pytest.fixture(scope="module")
def sample() -> list[demo.DemoEnterprise]:
    return generate(5000, seed=2024)


# --- calibration ---------------------------------------------------------------------------------

def test_calibration_classes_are_manufacturing_classes_of_gbt4754():
    with (demo.DATA_DIR / "gbt4754-2017.csv").open(encoding="utf-8") as fh:
        classes = {row["code"] for row in csv.DictReader(fh) if row["level"] == "class"}
    used = CAL.classes()
    assert used <= classes, used - classes
    assert all(13 <= int(code[:2]) <= 43 for code in used)  # section C


def test_calibration_covers_every_town_of_the_city(db):
    assert {t.name for t in CAL.towns} == set(Town.objects.values_list("short_name", flat=True))


def test_trade_name_syllables_cannot_spell_a_forbidden_name():
    syllables = set(CAL.syllables)
    for name in CAL.forbidden:
        assert not set(name) <= syllables, f"syllables can spell {name}"


def test_town_specialities():
    def share(town: str, prefix: str) -> float:
        weights = {str(code): w for code, w in CAL.raw["towns"][town]["specialities"].items()}
        return sum(w for code, w in weights.items() if code.startswith(prefix)) / sum(weights.values())

    assert share("古镇", "387") > 0.9 and share("横栏", "387") > 0.8
    for town in ("东凤", "南头", "黄圃"):
        assert share(town, "385") >= 0.5
    assert share("小榄", "33") > 0.7
    assert share("大涌", "21") > 0.6
    assert share("沙溪", "18") > 0.8
    assert share("港口", "246") > 0.7
    assert share("中山港", "39") + share("中山港", "34") + share("中山港", "35") > 0.6


# --- permutations and names ----------------------------------------------------------------------

@pytest.mark.parametrize("size", [1, 2, 7, 31**2, 1000, 4097])
def test_permutation_is_a_bijection(size):
    perm = demo.Permutation(size, key=12345)
    assert sorted(perm(i) for i in range(size)) == list(range(size))


def test_trade_names_are_unique_across_tiers():
    names = demo.TradeNames("甲乙丙", Fraction(3, 5), key=1)  # 9 + 27 + 81 names
    spelled = [names(i) for i in range(names.capacity)]
    assert len(set(spelled)) == names.capacity
    assert Counter(len(s) for s in spelled) == {2: 9, 3: 27, 4: 81}
    assert [len(s) for s in spelled[:5]] == [3, 2, 3, 2, 2]  # the Beatty sequence of 3/5


def test_names_unique_fictional_and_well_formed(sample):
    names = [e.name for e in sample]
    assert len(set(names)) == len(names)
    for name in names:
        assert name.startswith("中山") and name.endswith("有限公司")
        assert not any(bad in name for bad in CAL.forbidden), name
    assert all(2 <= len(e.legal_representative) <= 4 for e in sample)
    assert all(e.address.startswith("中山市" + e.town) and e.address.count("号") == 1 for e in sample)


def test_contacts(sample):
    prefixes = ("13", "15", "18")
    assert all(len(e.contact_phone) == 11 and e.contact_phone.startswith(prefixes) for e in sample)
    assert all(e.contact_name for e in sample)
    assert 0.15 < sum(bool(e.contact_email) for e in sample) / len(sample) < 0.35


# --- determinism ------------------------------------------------------------------------------------

def test_same_seed_same_enterprises_different_seed_different():
    first, again = generate(400, seed=11), generate(400, seed=11)
    assert first == again
    other = generate(400, seed=12)
    assert [e.uscc for e in other] != [e.uscc for e in first]
    assert [e.name for e in other] != [e.name for e in first]


def test_a_smaller_city_is_a_prefix_of_a_bigger_one_and_chunks_do_not_matter():
    big = generate(300, seed=5)
    assert generate(120, seed=5) == big[:120]
    chunked = [e for chunk in demo.CityGenerator(CAL, 5).chunks(300, size=7) for e in chunk]
    assert chunked == big


# --- validity and plausibility -----------------------------------------------------------------------

def test_usccs_are_valid_unique_and_recognisable(sample):
    codes = [e.uscc for e in sample]
    assert len(set(codes)) == len(codes)
    for code in codes:
        result = validate_uscc(code)
        assert result.code == code and result.warnings == ()
        assert code.startswith(CAL.uscc_prefix)


def test_years_are_consecutive_recent_and_after_founding(sample):
    latest = CAL.years[-1]
    for e in sample:
        years = [y.year for y in e.years]
        assert len(years) in (2, 3)
        assert years == list(range(years[0], latest + 1))
        assert e.founded_on.year <= years[0]
        assert 1985 <= e.founded_on.year
        for y in e.years:
            assert y.revenue > 0 and y.employees >= 1
            assert y.revenue == y.revenue.quantize(Decimal("0.01")) and y.tax == y.tax.quantize(Decimal("0.01"))
            assert Decimal("0.005") < y.tax / y.revenue < Decimal("0.07")


def test_derived_fields_follow_the_size_rule(sample):
    for e in sample:
        assert (e.size_class, e.above_scale) == services.derive(e.latest.year, e.latest.employees, e.latest.revenue)


def test_sizes_and_tags_are_plausible(sample):
    n = len(sample)
    sizes = Counter(e.size_class for e in sample)
    above = sum(e.above_scale for e in sample) / n
    assert 0.14 <= above <= 0.25
    assert (sizes["micro"] + sizes["small"]) / n > 0.9
    assert 0.005 < (sizes["medium"] + sizes["large"]) / n < 0.05
    tiers = Counter(e.zjtx_tier for e in sample)
    assert 0.02 < (n - tiers[""]) / n < 0.1
    assert tiers["little_giant"] < tiers["zjtx"] < tiers["innovative"]
    assert all(e.size_class != "large" for e in sample if e.zjtx_tier)
    assert 0.06 < sum(e.high_tech for e in sample) / n < 0.15
    assert 0.35 < sum(e.on_cloud for e in sample) / n < 0.5
    cultivation = [e for e in sample if e.cultivation_directory]
    assert len(cultivation) > 0.05 * n
    assert all(not e.above_scale and e.latest.revenue >= Decimal("10000000") for e in cultivation)


def test_chain_leaders_are_large_lighting_and_appliance_firms(sample):
    leaders = [e for e in sample if e.chain_leader]
    assert len(leaders) == len(CAL.chain_leaders) == 5
    assert all(e.size_class == "large" and e.industry[:3] in ("387", "385") for e in leaders)
    assert all(e.name.endswith("股份有限公司") for e in leaders)


def test_speciality_towns_are_mostly_their_speciality(sample):
    by_town: dict[str, Counter] = {}
    for e in sample:
        by_town.setdefault(e.town, Counter())[e.industry[:3]] += 1
    guzhen = by_town["古镇"]
    assert guzhen["387"] / guzhen.total() > 0.7


# --- the database ------------------------------------------------------------------------------------

def snapshot() -> list[tuple]:
    """Registry rows without timestamps or ids, in USCC order."""
    rows = []
    for e in Enterprise.objects.select_related("organisation", "town").prefetch_related("years").order_by("organisation__uscc"):
        years = sorted((y.year, y.employees, y.revenue, y.tax) for y in e.years.all())
        rows.append((
            e.uscc, e.name, e.legal_representative, e.town.short_name, e.address, e.industry_id, e.founded_on,
            e.zjtx_tier, e.high_tech, e.chain_leader, e.cultivation_directory, e.on_cloud, e.contact_name,
            e.contact_phone, e.contact_email, e.latest_year, e.employees, e.revenue, e.tax, e.size_class,
            e.above_scale, tuple(years),
        ))
    return rows


def test_written_rows_match_the_generator_and_the_registry_rules(db):
    result = demo.build_demo_registry(300, seed=3, chunk_size=64)
    assert result.enterprises == Enterprise.objects.count() == 300
    assert result.years == EnterpriseYear.objects.count()
    generated = {e.uscc: e for e in generate(300, seed=3)}
    classes = set(IndustryClass.objects.filter(level="class").values_list("code", flat=True))
    for e in Enterprise.objects.select_related("organisation", "town"):
        g = generated[e.uscc]
        assert (e.name, e.town.short_name, e.industry_id, e.founded_on) == (g.name, g.town, g.industry, g.founded_on)
        assert e.industry_id in classes
        expected = services.latest_figures(e)
        assert {f: getattr(e, f) for f in expected} == expected
    assert set(Enterprise.objects.values_list("town__short_name", flat=True)) == {t.name for t in CAL.towns}


def test_same_seed_writes_identical_rows(db):
    demo.build_demo_registry(200, seed=9)
    first = snapshot()
    assert demo.delete_demo_registry() == 200
    assert Enterprise.objects.count() == 0 and EnterpriseYear.objects.count() == 0
    demo.build_demo_registry(200, seed=9, chunk_size=33)
    assert snapshot() == first


def test_rerun_skips_and_reset_rebuilds(db, world):
    out = io.StringIO()
    call_command("demo_data", enterprises=150, seed=4, stdout=out)
    assert Enterprise.objects.count() == 150 + 2  # the world's two enterprises are not demo data
    out = io.StringIO()
    call_command("demo_data", enterprises=150, seed=4, stdout=out)
    assert "跳过" in out.getvalue() and Enterprise.objects.count() == 152
    call_command("demo_data", enterprises=80, seed=5, reset=True, stdout=io.StringIO())
    # so small a city gets a few fallback pilot firms from the programme step: count the registry's own
    assert Enterprise.objects.exclude(organisation__uscc__startswith="91442000PY").count() == 80 + 2
    assert demo.demo_registry_count() == 80
    assert Enterprise.objects.filter(pk=world.enterprises["a"].pk).exists()


def test_pick_demo_enterprise_prefers_a_small_or_medium_lighting_firm_of_guzhen(db):
    demo.build_demo_registry(500, seed=1)
    firm = demo.pick_demo_enterprise()
    assert firm is not None
    assert firm.town.short_name == "古镇" and firm.industry_id.startswith("387")
    assert firm.size_class in ("small", "medium") and not firm.chain_leader
