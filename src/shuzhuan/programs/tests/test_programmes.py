"""Programme files: the shipped ones load and their worked cases hold; bad files fail naming file and key."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shuzhuan.programs import programmes
from shuzhuan.programs.domain import Example, Programme, ProgrammeFileError, parse_programme, run_example

D = Decimal


def shipped_examples() -> list[Any]:
    return [pytest.param(p, e, id=f"{code}: {e.name}")
            for code in programmes.available() for p in [programmes.load(code)] for e in p.examples]


def test_the_shipped_programmes_load() -> None:
    assert programmes.available() == ["demo-pilot", "demo-town-scheme"]
    for code in programmes.available():
        assert programmes.load(code).examples, f"{code} ships no worked cases under tests:"


@pytest.mark.parametrize(("programme", "example"), shipped_examples())
def test_worked_cases_in_the_files_hold(programme: Programme, example: Example) -> None:
    assert run_example(programme, example) == []


def test_a_wrong_expectation_is_reported() -> None:
    programme = programmes.load("demo-pilot")
    wrong = Example(name="wrong", on=dt.date(2025, 1, 1), level=3, items=programme.examples[0].items,
                    amount=D("1.00"), by_source={"central": D("1.00")}, explanation=("x",))
    problems = run_example(programme, wrong)
    assert [p.split(":")[0] for p in problems] == ["amount", "by_source", "explanation"]


def test_demo_pilot_is_configured_as_the_issue_says() -> None:
    version = programmes.load("demo-pilot").versions[0]
    assert version.min_level == 2
    assert version.cap_by_level == {2: D("300000.00"), 3: D("600000.00"), 4: D("1000000.00")}
    assert version.cap_per_project is None
    assert version.share_of_eligible_investment == D("0.50")
    assert list(version.eligible_categories) == ["software", "cloud", "data_hardware"]
    assert list(version.excluded_categories) == ["office_pc", "plc_software", "it_operations"]
    assert [(s.code, s.label, s.weight) for s in version.fund_sources] == [
        ("central", "中央", 1), ("provincial", "省级", 1), ("municipal", "市级", 1)]
    assert version.purpose_rule is not None
    assert (version.purpose_rule.direct_sme_min, version.purpose_rule.public_services_max,
            version.purpose_rule.applies_to) == (D("0.80"), D("0.20"), ("central",))
    cites = version.citations
    assert cites["cap_by_level"].document == "中工信规字〔2024〕5号"
    assert "demo parameter" in (cites["share_of_eligible_investment"].note or "")
    assert not cites["share_of_eligible_investment"].verified
    assert "1:1:1" in (cites["fund_sources"].quote or "")


@pytest.mark.parametrize(("code", "day", "version"), [
    ("demo-pilot", "2024-06-30", None), ("demo-pilot", "2024-07-01", "2024-07-01"),
    ("demo-pilot", "2028-06-30", "2024-07-01"), ("demo-pilot", "2028-07-01", None),
    ("demo-town-scheme", "2025-12-31", "2025-01-01"), ("demo-town-scheme", "2026-01-01", "2026-01-01"),
    ("demo-town-scheme", "2099-01-01", "2026-01-01"),
])
def test_versions_are_half_open(code: str, day: str, version: str | None) -> None:
    found = programmes.load(code).version_on(dt.date.fromisoformat(day))
    assert (found.label if found else None) == version


@pytest.mark.parametrize("code", ["nope", "../demo-pilot", "demo-pilot.yaml", ""])
def test_unknown_programmes(code: str) -> None:
    with pytest.raises(programmes.UnknownProgramme):
        programmes.load(code)


def minimal() -> dict[str, Any]:
    cite = {"document": "测试", "verified": False}
    return {
        "code": "t", "title": "测试计划", "source": dict(cite),
        "versions": [{
            "effective_from": dt.date(2025, 1, 1), "effective_until": dt.date(2026, 1, 1),
            "parameters": {
                "min_level": 2, "cap_by_level": {2: "1.00", 3: "2.00", 4: "3.00"},
                "share_of_eligible_investment": "0.50", "eligible_categories": {"software": "软件"},
                "excluded_categories": {"office_pc": "办公电脑"},
                "fund_sources": [{"code": "a", "label": "甲", "weight": 1}, {"code": "b", "label": "乙", "weight": "2"}],
                "purpose_rule": {"direct_sme_min": "0.80", "public_services_max": "0.20", "applies_to": ["a"]},
            },
            "citations": {k: dict(cite) for k in ("period", "min_level", "cap_by_level", "share_of_eligible_investment",
                                                 "eligible_categories", "excluded_categories", "fund_sources",
                                                 "purpose_rule")},
        }],
        "tests": [{"name": "一例", "given": {"level": 2, "items": [{"category": "software", "amount": "10.00"}]},
                   "expect": {"amount": "1.00"}}],
    }


def test_the_minimal_file_is_valid() -> None:
    programme = parse_programme(minimal(), "t.yaml")
    assert run_example(programme, programme.examples[0]) == []


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    def step(node: Any, part: str) -> Any:
        return int(part) if isinstance(node, list) or (part.isdigit() and int(part) in node) else part

    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[step(node, part)]
    last = step(node, last)
    if value is DELETE:
        del node[last]
    else:
        node[last] = value


DELETE = object()
V = "versions.0"
P = "versions.0.parameters"


@pytest.mark.parametrize(("path", "value", "key", "message"), [
    ("colour", "blue", "colour", "未知的键"),
    (f"{P}.share_of_elegible_investment", "0.5", f"{P}.share_of_elegible_investment", "未知的键"),
    (f"{P}.share_of_eligible_investment", "fifty", f"{P}.share_of_eligible_investment", "比例"),
    (f"{P}.share_of_eligible_investment", 0.5, f"{P}.share_of_eligible_investment", "比例"),
    (f"{P}.share_of_eligible_investment", "1.5", f"{P}.share_of_eligible_investment", "不超过 1"),
    (f"{P}.cap_by_level.3", "-1.00", f"{P}.cap_by_level.3", "负数"),
    (f"{P}.cap_by_level.3", 2.5, f"{P}.cap_by_level.3", "浮点数"),
    (f"{P}.cap_by_level.3", DELETE, f"{P}.cap_by_level", "2–4"),
    (f"{P}.cap_per_project", "-5", f"{P}.cap_per_project", "负数"),
    (f"{P}.cap_per_project", "5", f"{V}.citations.cap_per_project", "缺少必填项"),
    (f"{P}.min_level", 9, f"{P}.min_level", "等级"),
    (f"{P}.eligible_categories", {}, f"{P}.eligible_categories", "非空"),
    (f"{P}.eligible_categories.Software X", "软件", f"{P}.eligible_categories", "代码"),
    (f"{P}.excluded_categories.software", "软件", f"{P}.excluded_categories.software", "既可补助又不可补助"),
    (f"{P}.fund_sources.1.code", "a", f"{P}.fund_sources.1.code", "重复"),
    (f"{P}.fund_sources.1.weight", 0, f"{P}.fund_sources.1.weight", "大于 0"),
    (f"{P}.fund_sources.1.weight", "1:1", f"{P}.fund_sources.1.weight", "权重"),
    (f"{P}.fund_sources", [], f"{P}.fund_sources", "不能为空"),
    (f"{P}.purpose_rule.applies_to", ["c"], f"{P}.purpose_rule.applies_to.0", "资金来源"),
    (f"{P}.fund_sources", DELETE, f"{P}.fund_sources", "缺少必填项"),
    (f"{V}.citations.cap_by_level", DELETE, f"{V}.citations.cap_by_level", "缺少必填项"),
    (f"{V}.citations.extra", {"document": "x", "verified": True}, f"{V}.citations.extra", "未知的键"),
    (f"{V}.citations.min_level.verified", "yes", f"{V}.citations.min_level.verified", "true 或 false"),
    (f"{V}.effective_until", dt.date(2024, 1, 1), f"{V}.effective_until", "应晚于"),
    (f"{V}.effective_from", "2025-13-01", f"{V}.effective_from", "不是日期"),
    ("code", "Demo Pilot", "code", "代码"),
    ("tests.0.date", dt.date(2030, 1, 1), "tests.0.date", "不在任何版本的有效期内"),
    ("tests.0.given.items.0.amount", "1e3", "tests.0.given.items.0.amount", "字符串"),
    ("tests.0.expect.colour", "x", "tests.0.expect.colour", "未知的键"),
])
def test_bad_files_name_the_key(path: str, value: Any, key: str, message: str) -> None:
    data = minimal()
    _set(data, path, value)
    with pytest.raises(ProgrammeFileError) as caught:
        parse_programme(data, "t.yaml")
    assert (caught.value.origin, caught.value.key) == ("t.yaml", key)
    assert message in caught.value.message
    assert str(caught.value).startswith(f"t.yaml: {key}: ")


def test_a_yaml_boolean_key_gets_a_hint() -> None:
    data = minimal()
    data["tests"][0][True] = "2025-06-01"  # `on: 2025-06-01` in YAML 1.1
    with pytest.raises(ProgrammeFileError, match="on/off/yes/no"):
        parse_programme(data, "t.yaml")


def test_versions_must_not_overlap() -> None:
    data = minimal()
    later = copy.deepcopy(data["versions"][0])
    later["effective_from"], later["effective_until"] = dt.date(2025, 12, 31), None
    data["versions"].append(later)
    with pytest.raises(ProgrammeFileError) as caught:
        parse_programme(data, "t.yaml")
    assert caught.value.key == "versions.1.effective_from"
    data["versions"][1]["effective_from"] = dt.date(2026, 1, 1)
    assert len(parse_programme(data, "t.yaml").versions) == 2
    data["versions"][0]["effective_until"] = None
    with pytest.raises(ProgrammeFileError, match="不能重叠"):
        parse_programme(data, "t.yaml")


SHIPPED = programmes.DATA_DIR / "demo-pilot.yaml"


def test_load_file_checks_name_duplicates_and_syntax(tmp_path: Path) -> None:
    renamed = tmp_path / "other.yaml"
    renamed.write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ProgrammeFileError, match="other.yaml: code: 应与文件名一致"):
        programmes.load_file(renamed)

    twice = tmp_path / "demo-pilot.yaml"
    twice.write_text(SHIPPED.read_text(encoding="utf-8").replace("      min_level: 2\n", "      min_level: 2\n      min_level: 1\n"),
                     encoding="utf-8")
    with pytest.raises(ProgrammeFileError, match="demo-pilot.yaml.*'min_level' 重复"):
        programmes.load_file(twice)

    broken = tmp_path / "broken.yaml"
    broken.write_text("code: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProgrammeFileError, match="broken.yaml: \\(文件\\): YAML 有误"):
        programmes.load_file(broken)


def test_the_domain_package_is_pure() -> None:
    domain = Path(programmes.__file__).parent / "domain"
    for module in domain.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert "django" not in text and "float(" not in text, f"{module.name} must stay pure Decimal Python"


def test_eligibility_and_deadlines_are_versioned_cited_data():
    """Formerly admin-editable columns: now part of each version, each version citing its source."""
    import yaml

    version = programmes.load("demo-pilot").versions[0]
    assert version.eligibility is not None
    assert (version.eligibility.sub_industries, version.eligibility.finish_months) == (("lighting", "appliances"), 3)
    assert version.citations["eligibility"].document == "财建〔2023〕117号"
    data = yaml.safe_load((programmes.DATA_DIR / "demo-pilot.yaml").read_text(encoding="utf-8"))
    del data["versions"][0]["citations"]["eligibility"]
    with pytest.raises(ProgrammeFileError, match="eligibility"):
        parse_programme(data, "t.yaml")
    data = yaml.safe_load((programmes.DATA_DIR / "demo-pilot.yaml").read_text(encoding="utf-8"))
    data["versions"][0]["parameters"]["eligibility"]["finish_months"] = 0
    with pytest.raises(ProgrammeFileError, match="finish_months"):
        parse_programme(data, "t.yaml")


@pytest.mark.django_db
def test_the_programme_reads_its_eligibility_from_the_file_and_the_admin_shows_it_read_only(world, login):
    from shuzhuan.programs.tests.scope_fixtures import make_programme

    programme = make_programme()
    assert programme.sub_industries == ["lighting", "appliances"] and programme.acceptance_months == 3
    page = login(world.users["admin"]).get(f"/admin/programs/programme/{programme.pk}/change/").content.decode()
    assert "资格条件与期限" in page and "lighting、appliances" in page and 'name="sme_only"' not in page
