"""The indicator sets as data: structure, totals, and a cross-check with the reference fact table."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import yaml

from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment.domain.model import IndicatorSetError, QuestionType, parse_indicator_set, to_points
from shuzhuan.assessment.tests import reference_md
from shuzhuan.assessment.tests.sheets import miit


def raw(set_id: str) -> dict:
    return yaml.safe_load((indicator_sets.DATA_DIR / f"{set_id}.yaml").read_text(encoding="utf-8"))


def test_miit_2024_shape():
    s = miit()
    assert (s.id, s.version, str(s.effective_from)) == ("miit-2024", "2024.1", "2024-01-01")
    assert s.source["document"].startswith("工信厅企业〔2024〕56号") and s.source["unverified"] is True
    assert [q.code for q in s.questions] == [f"F{i}" for i in range(1, 8)] + [f"M{i}" for i in range(1, 5)] + [f"R{i}" for i in range(1, 5)]
    assert [sc.code for sc in s.scenarios] == [f"S{i:02d}" for i in range(1, 17)]
    assert sum(sc.mandatory for sc in s.scenarios) == 10
    assert all(sorted(sc.levels) == [1, 2, 3, 4] and all(sc.levels.values()) for sc in s.scenarios)
    # option counts per question agree across sources A, B and E (reference §8 item 10)
    assert [len(q.options) for q in s.questions] == [5, 5, 5, 15, 5, 5, 5, 6, 5, 6, 5, 3, 3, 3, 3]


def test_points_add_up_per_dimension_and_second_level():
    s = miit()
    dims = {d.code: sum(q.points for q in s.questions if q.dimension == d.code) for d in s.dimensions}
    assert {k: to_points(v) for k, v in dims.items()} == {"F": 50, "M": 30, "R": 20}
    seconds = {sl.code: to_points(sum(q.points for q in s.questions if q.second_level == sl.code)) for sl in s.second_levels}
    assert list(seconds.values()) == [20, 10, 10, 10, 15, 15, 7, 7, 6]
    assert to_points(s.max_points) == 100


def test_every_option_within_its_question_and_multi_sums_to_max():
    for q in miit().questions:
        assert all(0 <= o.points <= q.points for o in q.options), q.code
        if q.type is QuestionType.MULTI:
            assert sum(o.points for o in q.options) == q.points
            assert [o.letter for o in q.options if o.none] == ["A"] and q.option("A").text == "无"
        else:
            assert max(o.points for o in q.options) == q.points


def test_types_and_bands():
    s = miit()
    kinds = {q.code: q.type.value for q in s.questions}
    assert [c for c, k in kinds.items() if k == "multi"] == ["F1", "F4", "F6", "F7", "M2", "M3"]
    assert [c for c, k in kinds.items() if k == "band"] == ["F2", "F3", "M4", "R1", "R2", "R3", "R4"]
    assert [c for c, k in kinds.items() if k == "single"] == ["F5", "M1"]
    assert [o.band.text for o in s.question("F2").options] == ["[0,10]", "(10,20]", "(20,40]", "(40,60]", "(60,100]"]
    assert s.question("R1").comparison == {"baseline": "上年与前年", "default": "改造后与改造前"}


def test_level_rule_as_data():
    rule = miit().level_rule
    assert rule.kind.value == "score_and_scenarios" and rule.score_dimensions == ("F", "M", "R") and rule.unverified
    table = [(r.level, to_points(r.min_score), r.scenario_level, r.min_scenarios, r.min_mandatory) for r in rule.levels]
    assert table == [(1, 20, 1, 6, 3), (2, 40, 2, 6, 3), (3, 60, 3, 8, 5), (4, 80, 4, 10, 6)]


def test_uncertainties_are_marked():
    s = miit()
    assert {q.code for q in s.questions if q.unverified} >= {"F1", "F3", "F4", "M1", "M4", "R1", "R2"}
    assert {sc.code for sc in s.scenarios if sc.unverified} == {"S01", "S02", "S04", "S08", "S09"}
    assert all(q.note for q in s.questions if q.unverified)


def test_miit_2022_bands_only():
    s = indicator_sets.load("miit-2022")
    assert s.questions == () and s.level_rule.kind.value == "score_bands" and not s.level_rule.needs_scenarios
    assert [to_points(r.min_score) for r in s.level_rule.levels] == [20, 40, 60, 80]
    assert str(s.effective_until) == "2024-01-01"


def test_available_and_unknown():
    assert {"miit-2022", "miit-2024"} <= set(indicator_sets.available())
    for bad in ("miit-2099", "../settings", ""):
        with pytest.raises(indicator_sets.UnknownIndicatorSet):
            indicator_sets.load(bad)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["questions"][0]["options"][1].update(points=2.0), "decimal string"),
        (lambda d: d["questions"][0]["options"][1].update(points="9"), "exceed"),
        (lambda d: d["questions"][3]["options"][1].update(points="0.8"), "add up"),
        (lambda d: d["questions"][1]["options"][0].update(points="0.0001"), "3 decimals"),
        (lambda d: d["questions"][1].pop("measure"), "measure"),
        (lambda d: d["questions"][4].update(second_level="F.nowhere"), "unknown dimension"),
        (lambda d: d["level_rule"]["levels"][3].update(min_mandatory=11), "more scenarios"),
        (lambda d: d["questions"][5].update(code="F1"), "repeated"),
    ],
)
def test_inconsistent_data_is_refused(mutate, message):
    data = copy.deepcopy(raw("miit-2024"))
    mutate(data)
    with pytest.raises(IndicatorSetError, match=message):
        parse_indicator_set(data)


# --- cross-check with the reference fact table it was transcribed from --------------------------

@pytest.fixture(scope="module")
def reference():
    return reference_md.parse(reference_md.reference_path().read_text(encoding="utf-8"))


def test_questions_match_reference(reference):
    ref_questions, _ = reference
    s = miit()
    dims = {d.code: d.name for d in s.dimensions}
    seconds = {sl.code: sl.name for sl in s.second_levels}
    assert list(ref_questions) == [q.code for q in s.questions]
    for q in s.questions:
        ref = ref_questions[q.code]
        assert (q.text, dims[q.dimension], seconds[q.second_level], q.indicator) == (ref.text, ref.dimension, ref.second_level, ref.indicator)
        assert (q.type is QuestionType.MULTI) == ref.multi, q.code
        assert to_points(q.points) == ref.points, q.code
        assert q.help == ref.help, q.code
        assert [(o.letter, o.text, to_points(o.points)) for o in q.options] == [(a, b, Decimal(c)) for a, b, c in ref.options], q.code


def test_scenarios_match_reference(reference):
    _, ref_scenarios = reference
    s = miit()
    assert list(ref_scenarios) == [sc.code for sc in s.scenarios]
    for sc in s.scenarios:
        ref = ref_scenarios[sc.code]
        assert (sc.name, sc.group, sc.mandatory, dict(sc.levels)) == (ref.name, ref.group, ref.mandatory, ref.levels), sc.code


def test_domain_is_pure_python():
    import subprocess
    import sys

    code = (
        "import sys, shuzhuan.assessment.domain.batch, shuzhuan.assessment.domain.scoring;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
