"""The single-sheet scorer: question types, hand-computed sheets, the level rule's edges, invalid
input, partial mode, figures → bands, the 2022 bands."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment.domain import AssessmentInputError, classify, score
from shuzhuan.assessment.tests.sheets import FULL_F, FULL_M, answers, full_answers, miit, rated, scenarios


def fields(exc: pytest.ExceptionInfo) -> dict[str, str]:
    return {e.field: e.message for e in exc.value.errors}


# --- question types ----------------------------------------------------------------------------

def test_single_choice_points():
    r = score(miit(), answers(F5="D", M1="B"), scenarios())
    assert r.indicators["F5"] == Decimal("7.5") and r.indicators["M1"] == Decimal("1.5")


def test_multi_choice_sums_chosen_options_in_any_spelling():
    for spelling in (["B", "O"], "B,O", "o, b", "B，O", ["o", " b "]):
        r = score(miit(), answers(F4=spelling), scenarios())
        assert r.indicators["F4"] == Decimal("1.6"), spelling  # 0.7 (产品设计) + 0.9 (人力资源)
    assert score(miit(), answers(F4=["A"]), scenarios()).indicators["F4"] == 0  # 无


def test_band_question_by_letter_or_from_figures():
    s = miit()
    by_letter = score(s, answers(F2="C"), scenarios())
    # 30 of 120 devices digitised = 25 % → (20,40] → C = 3 points
    by_figures = score(s, answers(F2=None), scenarios(), figures={"production_devices": 120, "digital_devices": 30})
    assert by_letter.indicators["F2"] == by_figures.indicators["F2"] == 3
    assert by_figures.choices["F2"] == ("C",)
    assert any("30 ÷ 120 × 100 = 25%" in line and "C「(20%,40%]」" in line for line in by_figures.explanation)


@pytest.mark.parametrize(
    "digital, letter",
    [(0, "A"), (12, "A"), (13, "B"), (24, "B"), (25, "C"), (48, "C"), (49, "D"), (72, "D"), (73, "E"), (120, "E")],
)
def test_band_edges_are_exact(digital, letter):
    # 120 devices: 12 = 10 % (top of [0,10]); 24 = 20 %; 48 = 40 %; 72 = 60 % — each upper bound included
    r = score(miit(), answers(F2=None), scenarios(), figures={"production_devices": 120, "digital_devices": digital})
    assert r.choices["F2"] == (letter,)


def test_change_bands_compare_two_years():
    figures = {
        "energy_last_year": 90, "revenue_last_year": 1000, "energy_year_before": 100, "revenue_year_before": 1000,  # R1 降低 → C
        "pass_rate_last_year": "98.5", "pass_rate_year_before": "98.5",  # R2 持平 → B
        "employees_last_year": 100, "employees_year_before": 100, "cost_last_year": 800, "cost_year_before": 700,
        # R3: revenue per head 10 vs 10 → 持平 B; R4: cost per 100 yuan 80 vs 70 → 增加 A
    }
    r = score(miit(), answers(R1=None, R2=None, R3=None, R4=None), scenarios(), figures=figures)
    assert {c: r.choices[c] for c in ("R1", "R2", "R3", "R4")} == {"R1": ("C",), "R2": ("B",), "R3": ("B",), "R4": ("A",)}
    assert r.dimensions["R"] == Decimal("12")  # 7 + 3.5 + 1.5 + 0


def test_baseline_compares_the_last_two_years_in_words():
    base = score(miit(), answers(), scenarios())
    post = score(miit(), answers(), scenarios(), kind="post")
    assert any(line.startswith("R1 ") and "基线评测按上年与前年比较" in line for line in base.explanation)
    assert any(line.startswith("R2 ") and "本次评测按改造后与改造前比较" in line for line in post.explanation)
    assert base.score == post.score


def test_figures_disagreeing_with_the_letter_or_out_of_band():
    with pytest.raises(AssessmentInputError) as exc:
        score(miit(), answers(F2="E"), scenarios(), figures={"production_devices": 10, "digital_devices": 1})
    assert fields(exc) == {"answers.F2": "与填报数据计算出的档位 A 不一致"}
    with pytest.raises(AssessmentInputError) as exc:
        score(miit(), answers(F2=None), scenarios(), figures={"production_devices": 0, "digital_devices": 1, "bogus": 1})
    assert set(fields(exc)) == {"figures.production_devices", "figures.bogus", "answers.F2"}
    with pytest.raises(AssessmentInputError) as exc:
        score(miit(), answers(F2=None), scenarios(), figures={"production_devices": 10, "digital_devices": 11})
    assert "不在任何档位内" in fields(exc)["figures.digital_devices"]


# --- hand-computed sheets ----------------------------------------------------------------------

def test_sheet_1_level_two():
    r = score(
        miit(),
        {"F1": ["B", "D"], "F2": "C", "F3": "A", "F4": ["B", "C", "O"], "F5": "C", "F6": ["A"], "F7": "B,C",
         "M1": "D", "M2": ["B"], "M3": ["B", "D"], "M4": "B", "R1": "B", "R2": "C", "R3": "C", "R4": "A"},
        {**rated(2, 10, 5), "S16": 0},
    )
    # 基础: F1 2+2=4, F2 3, F3 0 → 设备系统 7; F4 0.7+0.7+0.9=2.3; F5 5; F6 0 + F7 1.25+1.25=2.5 → 16.8
    # 管理: M1 4.5 + M2 1.875 = 6.375; M3 1.5+1.5=3 + M4 1.875 = 4.875 → 11.25
    # 成效: R1 3.5 + R2 7 + R3 3 + R4 0 = 13.5;  total 16.8 + 11.25 + 13.5 = 41.55
    assert r.score == Decimal("41.55")
    assert r.dimensions == {"F": Decimal("16.8"), "M": Decimal("11.25"), "R": Decimal("13.5")}
    assert r.second_levels["F.equipment"] == 7 and r.second_levels["M.planning"] == Decimal("6.375")
    # 15 scenarios at 2 (10 约束性): 二级 needs ≥40, 6 at ≥2, 3 约束性 → yes; 三级 needs 8 at ≥3 → none
    assert r.level == 2
    assert "评定等级：二级（规范级）——基础 + 管理 + 成效 得分 41.55 ≥ 40；二级及以上场景 15 个 ≥ 6，其中约束性 10 个 ≥ 3" in r.explanation
    assert "距三级：基础 + 管理 + 成效 得分需再提高 18.45 分；还差 8 个场景达到三级，其中至少 5 个约束性场景" in r.explanation


def test_sheet_2_everything_best():
    r = score(miit(), full_answers(), rated(4, 10, 6))
    # every question at its maximum: 50 + 30 + 20 = 100; all 16 scenarios at 4 (10 约束性) → 四级
    assert (r.score, r.level) == (Decimal("100"), 4)
    assert r.explanation[-2] == "已达到最高等级四级"


def test_sheet_3_one_mandatory_scenario_short_of_level_four():
    r = score(miit(), answers(**FULL_F, **FULL_M, R1="B", R3="B"), rated(4, 5, 5))
    # 50 + 30 + R1 3.5 + R3 1.5 = 85 ≥ 80; 10 scenarios at 4 but only 5 约束性 (< 6) → not 四级;
    # 三级: 10 at ≥3 ≥ 8, 5 约束性 ≥ 5 → 三级
    assert (r.score, r.level) == (Decimal("85"), 3)
    assert "距四级：还差 1 个场景达到四级，其中至少 1 个约束性场景" in r.explanation


def test_gap_in_points_and_scenarios():
    sheet = answers(F1=["B", "C", "D", "E"], F2="E", F3="E", F5="C", F6=list("BCDE"), F7=list("BCDE"), M1="B")
    # 8 + 6 + 6 + 5 + 5 + 5 + 1.5 = 36.5; scenarios: 4 at 2 (2 约束性) and 2 约束性 at 1 → 一级
    levels = {**rated(2, 2, 2), "S06": 1, "S07": 1}
    r = score(miit(), sheet, levels)
    assert (r.score, r.level) == (Decimal("36.5"), 1)
    assert "距二级：基础 + 管理 + 成效 得分需再提高 3.5 分；还差 2 个场景达到二级，其中至少 1 个约束性场景" in r.explanation


# --- the level rule's edges --------------------------------------------------------------------

SCORE_20 = {"F1": list("BCDE"), "F2": "E", "F3": "E"}  # 8 + 6 + 6
SCORE_19_75 = {"F1": list("BCDE"), "F2": "E", "F3": "D", "F6": ["B"]}  # 8 + 6 + 4.5 + 1.25
SCORE_40 = {**SCORE_20, "F4": list("BCDEFGHIJKLMNO"), "F5": "E"}  # 20 + 10 + 10
SCORE_39_375 = {**SCORE_20, "F4": list("BCDEFGHIJKLMNO"), "F5": "D", "M2": ["B"]}  # 20 + 10 + 7.5 + 1.875
SCORE_60 = {**FULL_F, "R1": "C", "R3": "C"}  # 50 + 7 + 3
SCORE_80 = {**FULL_F, **FULL_M}  # 50 + 30
SCORE_78_5 = {**FULL_F, **FULL_M, "M1": "E"}  # 50 + 6 + 22.5


@pytest.mark.parametrize(
    "sheet, total, levels, expected",
    [
        (SCORE_20, "20", rated(1, 3, 3), 1),
        (SCORE_19_75, "19.75", rated(1, 3, 3), 0),
        (SCORE_20, "20", rated(1, 2, 4), 0),  # 6 scenarios but 2 约束性: one mandatory short
        (SCORE_20, "20", rated(1, 3, 2), 0),  # 3 约束性 but 5 scenarios
        (SCORE_40, "40", rated(2, 3, 3), 2),
        (SCORE_39_375, "39.375", rated(2, 3, 3), 1),
        (SCORE_40, "40", rated(2, 2, 6, base=1), 1),  # 8 at 二级, only 2 约束性 → stays 一级
        (SCORE_60, "60", rated(3, 5, 3), 3),
        (SCORE_60, "60", rated(3, 4, 6), 2),  # 10 at 三级, 4 约束性
        (SCORE_60, "60", rated(3, 5, 2, base=2), 2),  # 7 at 三级
        (SCORE_80, "80", rated(4, 6, 4), 4),
        (SCORE_80, "80", rated(4, 5, 5, base=3), 3),  # one mandatory short of 四级
        (SCORE_80, "80", rated(4, 6, 3, base=3), 3),  # 9 at 四级
        (SCORE_78_5, "78.5", rated(4, 10, 6), 3),
    ],
)
def test_level_edges(sheet, total, levels, expected):
    r = score(miit(), answers(**sheet), levels)
    assert r.score == Decimal(total)
    assert r.level == expected


def test_below_first_level_explains_why():
    r = score(miit(), answers(**SCORE_19_75), rated(1, 2, 4))
    assert r.level == 0
    assert "未达到一级：基础 + 管理 + 成效 得分 19.75 < 20；一级及以上场景 6 个 ≥ 6，其中约束性 2 个 < 3" in r.explanation
    assert "距一级：基础 + 管理 + 成效 得分需再提高 0.25 分；还差 1 个场景达到一级，其中至少 1 个约束性场景" in r.explanation


def test_scenario_level_zero_is_not_implemented():
    r = score(miit(), answers(**SCORE_80), rated(4, 6, 4))
    assert r.scenario_levels["S16"] == 0
    assert any("未实施 6 个" in line for line in r.explanation)


# --- invalid input -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "answer_overrides, scenario_overrides, field, message",
    [
        ({"X9": "A"}, {}, "answers.X9", "未知的指标代码"),
        ({"F2": "Z"}, {}, "answers.F2", "未知选项 Z（可选 A、B、C、D、E）"),
        ({"F4": ["B", "P"]}, {}, "answers.F4", "未知选项 P"),
        ({"F5": ["B", "C"]}, {}, "answers.F5", "单选题只能选择一个选项"),
        ({"M1": "B,C"}, {}, "answers.M1", "单选题只能选择一个选项"),
        ({"F1": ["A", "B"]}, {}, "answers.F1", "选项 A「无」不能与其他选项同时选择"),
        ({"F6": ["B", "B"]}, {}, "answers.F6", "选项重复"),
        ({"F7": 3}, {}, "answers.F7", "答案应为选项字母（单选）或字母列表（多选）"),
        ({"F7": [1]}, {}, "answers.F7", "选项应为字母"),
        ({"F7": None}, {}, "answers.F7", "必答题未作答"),
        ({"F7": []}, {}, "answers.F7", "必答题未作答"),
        ({}, {"S03": 5}, "scenarios.S03", "场景等级应为 0–4 的整数（0 表示未实施）"),
        ({}, {"S03": -1}, "scenarios.S03", "场景等级应为 0–4"),
        ({}, {"S03": "2"}, "scenarios.S03", "场景等级应为 0–4"),
        ({}, {"S03": True}, "scenarios.S03", "场景等级应为 0–4"),
        ({}, {"S03": None}, "scenarios.S03", "场景等级未填写（未实施填 0）"),
        ({}, {"S17": 1}, "scenarios.S17", "未知的场景代码"),
    ],
)
def test_invalid_input_names_the_field(answer_overrides, scenario_overrides, field, message):
    with pytest.raises(AssessmentInputError) as exc:
        score(miit(), answers(**answer_overrides), scenarios(**scenario_overrides))
    assert list(fields(exc)) == [field]
    assert fields(exc)[field].startswith(message)


def test_all_errors_are_reported_at_once():
    sheet = answers(F1=["A", "C"], F2="Q")
    del sheet["R4"]
    with pytest.raises(AssessmentInputError) as exc:
        score(miit(), sheet, {"S01": 9})
    found = fields(exc)
    assert {"answers.F1", "answers.F2", "answers.R4", "scenarios.S01", "scenarios.S16"} <= set(found)
    assert len(found) == 3 + 16  # 15 other scenarios missing too


# --- partial mode ------------------------------------------------------------------------------

def test_partial_gives_live_subtotal_without_level():
    r = score(miit(), {"F1": ["B", "D"], "F5": "E", "M1": "C"}, {"S01": 3}, partial=True)
    assert r.level is None and r.partial
    assert r.score == Decimal("17")  # 4 + 10 + 3
    assert r.dimensions == {"F": 14, "M": 3, "R": 0}
    assert r.explanation[0] == "草稿（部分作答）：已答 3/15 题，已评 1/16 个场景；当前小计 17 分，全部作答后评定等级"
    assert not any(line.startswith(("评定等级", "距", "未达到")) for line in r.explanation)


def test_partial_still_refuses_wrong_answers():
    with pytest.raises(AssessmentInputError) as exc:
        score(miit(), {"F1": ["A", "B"]}, {}, partial=True)
    assert list(fields(exc)) == ["answers.F1"]


def test_without_explanation_same_numbers():
    sheet, levels = answers(**SCORE_60), rated(3, 5, 3)
    full, bare = score(miit(), sheet, levels), score(miit(), sheet, levels, explain=False)
    assert bare.explanation == () and full.explanation
    assert (bare.score, bare.dimensions, bare.indicators, bare.level) == (full.score, full.dimensions, full.indicators, full.level)


# --- 2022 edition: level by total score only ---------------------------------------------------

@pytest.mark.parametrize(
    "total, level",
    [("0", 0), ("19.999", 0), ("20", 1), ("39.5", 1), ("40", 2), ("59.999", 2), ("60", 3), ("79.5", 3), ("80", 4), ("100", 4)],
)
def test_2022_bands(total, level):
    r = classify(indicator_sets.load("miit-2022"), Decimal(total))
    assert (r.score, r.level) == (Decimal(total), level)


def test_2022_explanation_and_limits():
    s = indicator_sets.load("miit-2022")
    assert classify(s, Decimal("55")).explanation[-1] == "距三级：得分需再提高 5 分"
    for bad in ("-1", "100.5", "50.0001"):
        with pytest.raises(AssessmentInputError):
            classify(s, Decimal(bad))
    with pytest.raises(AssessmentInputError):
        classify(miit(), Decimal("50"))  # the 2024 level needs scenarios
