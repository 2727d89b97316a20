"""Pure rules: the star rating (rule file's own examples) and working days for the notice period."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from shuzhuan.marketplace.domain import stars
from shuzhuan.marketplace.domain.workdays import WorkCalendar

RULE_FILE = Path(stars.__file__).resolve().parents[1] / "data" / "star_rule.yaml"
DATA = yaml.safe_load(RULE_FILE.read_text(encoding="utf-8"))


def _given(raw):
    return stars.DeliveryRecord(**{k: Decimal(v) if isinstance(v, str) else v for k, v in raw.items()})


@pytest.mark.parametrize("case", DATA["tests"], ids=[c["name"] for c in DATA["tests"]])
def test_star_rule_examples(case):
    rule = stars.rule_for(stars.parse_rules(DATA), dt.date(2025, 6, 1))
    result = stars.rate(rule, _given(case["given"]))
    assert result.stars == case["expect"]["stars"]
    if "composite" in case["expect"]:
        assert result.composite == Decimal(case["expect"]["composite"])
    assert result.explanation  # always says why, also when there is no rating


def test_weights_are_the_design_defaults_and_each_cites_a_source():
    params = DATA["versions"][0]["parameters"]
    assert {k: v["value"] for k, v in params["weights"].items()} == {"satisfaction": "50", "on_time": "30", "admission": "20"}
    assert all("DESIGN" in v["source"] for v in params["weights"].values())


def test_no_stars_without_delivery_data_even_with_a_high_admission_score():
    rule = stars.parse_rules(DATA)[0]
    result = stars.rate(rule, stars.DeliveryRecord(admission_score=Decimal("99")))
    assert result.stars is None and "暂无评级" in result.explanation[0]


def test_explanation_adds_up():
    rule = stars.parse_rules(DATA)[0]
    result = stars.rate(rule, stars.DeliveryRecord(3, Decimal("80"), 4, 3, Decimal("75")))
    assert result.composite == Decimal("40.00") + Decimal("22.50") + Decimal("15.00")
    assert result.stars == 3 and result.explanation[-1].endswith("→ 3 星")


def test_weights_must_add_up_to_100():
    bad = yaml.safe_load(RULE_FILE.read_text(encoding="utf-8"))
    bad["versions"][0]["parameters"]["weights"]["satisfaction"]["value"] = "60"
    with pytest.raises(ValueError):
        stars.parse_rules(bad)


def test_inconsistent_record_is_refused():
    rule = stars.parse_rules(DATA)[0]
    with pytest.raises(ValueError):
        stars.rate(rule, stars.DeliveryRecord(1, Decimal("90"), 2, 3, Decimal("80")))


CAL = WorkCalendar()


def test_five_working_days_from_a_monday():
    assert CAL.period_end(dt.date(2025, 3, 3), 5) == dt.date(2025, 3, 8)  # Mon–Fri, end exclusive on Saturday


def test_weekend_start_counts_from_monday():
    assert CAL.period_end(dt.date(2025, 3, 1), 5) == dt.date(2025, 3, 8)


def test_national_day_and_its_make_up_working_day():
    # 2025-09-28 (Sunday) is a make-up working day; 10-01..10-08 are holidays; 10-11 (Saturday) works
    assert CAL.is_workday(dt.date(2025, 9, 28)) and not CAL.is_workday(dt.date(2025, 10, 3))
    end = CAL.period_end(dt.date(2025, 9, 29), 5)  # 9-29, 9-30, 10-09, 10-10, 10-11
    assert end == dt.date(2025, 10, 12)
    assert CAL.count(dt.date(2025, 9, 29), end) == 5


def test_city_overrides_win():
    cal = WorkCalendar.with_overrides(holidays=[dt.date(2025, 3, 4)])
    assert cal.period_end(dt.date(2025, 3, 3), 5) == dt.date(2025, 3, 11)


def test_year_not_in_the_national_table_falls_back_to_weekdays():
    day = dt.date(2040, 1, 2)  # a Monday
    assert not CAL.covered(day)
    assert CAL.period_end(day, 5) == dt.date(2040, 1, 7)
    assert CAL.uncovered_years(day, dt.date(2040, 1, 7)) == [2040]


def test_period_needs_a_day():
    with pytest.raises(ValueError):
        CAL.period_end(dt.date(2025, 3, 3), 0)


def test_satisfaction_is_scaled_by_the_star_rules_factor():
    """Enterprises rate 1–5; the rule file's factor (20) puts it on the composite's 0–100 scale."""
    import datetime as _dt
    from decimal import Decimal as _D

    import yaml

    from shuzhuan.marketplace.domain import stars as star_domain
    from shuzhuan.marketplace.services.pool import DATA_DIR

    data = yaml.safe_load((DATA_DIR / "star_rule.yaml").read_text(encoding="utf-8"))
    rule = star_domain.rule_for(star_domain.parse_rules(data), _dt.date(2025, 6, 1))
    assert rule.satisfaction_points_per_unit == _D("20")
    assert rule.satisfaction_points(_D("4.6")) == _D("92.00")
    data["versions"][0]["parameters"]["satisfaction_points_per_unit"]["value"] = "25"
    assert star_domain.parse_rules(data)[0].satisfaction_points(_D("4")) == _D("100.00")
