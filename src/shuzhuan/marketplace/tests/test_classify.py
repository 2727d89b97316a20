"""The need classifier: normalisation, segmentation, scores, explanations, determinism (no database)."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import yaml

from shuzhuan.marketplace.domain.classify import (
    SCENARIO_CODES,
    Lexicon,
    LexiconError,
    NeedClassifier,
    normalise,
)
from shuzhuan.marketplace.needs import DEV_FILE, LEXICON_FILE, classifier, load_labelled


@pytest.fixture(scope="module")
def model() -> NeedClassifier:
    return classifier()


@pytest.fixture(scope="module")
def lexicon_data() -> dict:
    return yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("raw", "clean"), [
    ("想上ＥＲＰ和ＭＥＳ", "想上erp和mes"),
    ("  仓库　 进出货\t\n全靠手写  ", "仓库 进出货 全靠手写"),
    ("ＯＥＥ：８５％，（设备）", "oee:85%,(设备)"),
    ("Excel排产", "excel排产"),
    ("", ""),
])
def test_normalise_full_width_case_and_spaces(raw, clean):
    assert normalise(raw) == clean


def test_lexicon_terms_segment_as_units(model):
    words = model.segment("老板想上ＭＥＳ扫码报工，还有设备保养和峰谷电价")
    for term in ("mes", "扫码报工", "设备保养", "峰谷电价"):
        assert term in words, words
    assert "".join(words) == normalise("老板想上ＭＥＳ扫码报工，还有设备保养和峰谷电价")


def test_a_term_counts_only_on_word_boundaries(model):
    # 排产 is a lexicon term, but in 安排产品 the words are 安排 / 产品.
    assert all("排产" not in m.why for m in model.classify("帮我们安排产品拍照"))


def test_ranked_scores_are_exact_decimals_in_range(model):
    matches = model.classify("仓库进出货全靠手写单子，月底对账对不上")
    assert [m.code for m in matches[:2]] == ["S12", "S13"]
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    for score in scores:
        assert isinstance(score, Decimal) and Decimal(0) <= score < Decimal(1)
        assert score == score.quantize(Decimal("0.001"))


def test_full_width_input_gives_the_same_answer(model):
    assert model.classify("想上ＭＥＳ，实时看到每条线的产量") == model.classify("想上mes,实时看到每条线的产量")


def test_deterministic_across_calls_and_instances(model, lexicon_data):
    texts = [need.text for need in load_labelled()]
    first = model.classify_many(texts, top=3)
    assert model.classify_many(texts, top=3) == first
    assert NeedClassifier(Lexicon.from_mapping(lexicon_data)).classify_many(texts, top=3) == first


def test_top_limits_and_nothing_found_is_empty(model):
    assert len(model.classify("排产、仓库、电费、招工、审批都要管", top=3)) == 3
    assert model.classify("今天天气不错") == []
    assert model.classify("   ") == []


def test_explanations_name_real_matched_terms(model):
    lexicon = model.lexicon
    for need in load_labelled() + load_labelled(DEV_FILE):
        clean = normalise(need.text)
        for match in model.classify(need.text):
            assert match.why, (need.id, match)
            assert len(set(match.why)) == len(match.why)
            own_terms = lexicon.terms_of(match.code)
            for word in match.why:
                assert word in clean, (need.id, word)
                assert word in own_terms or any(word in term for term in own_terms), (need.id, match.code, word)


def test_why_lists_the_strongest_words_first(model):
    match = model.classify("设备保养都记在本子上，想看每台机的OEE")[0]
    assert match.code == "S08"
    weights = [model.lexicon.terms.get(w, {}).get("S08", Decimal(0)) for w in match.why]
    assert weights == sorted(weights, reverse=True)
    assert {"设备保养", "oee"} <= set(match.why)


def test_a_term_glued_inside_a_longer_word_counts_at_the_inside_share(model):
    words = model.segment("每款产品实际成本是多少一直算不清")
    assert "实际成本" in words and "成本" not in words  # jieba keeps the compound whole
    match = next(m for m in model.classify("每款产品实际成本是多少一直算不清") if m.code == "S13")
    assert "成本" in match.why
    inside = model.lexicon.terms["成本"]["S13"] * model.lexicon.inside
    assert model.lexicon.inside < 1 and match.score == model.score(inside)


def test_inside_matching_needs_an_untouched_word(model):
    # 设计部 is a term itself: 设计 inside it does not count a second time.
    assert model.classify("设计部")[0].why == ("设计部",)


def test_a_latin_term_never_counts_inside_a_longer_latin_word(model):
    # jieba cuts mesh into mes/h and email into em/ai/l around the user-dictionary terms.
    assert model.classify("mesh") == []
    assert [m.code for m in model.classify("email通知")] == ["S15"]
    assert model.classify("想上mes2.0")[0].why == ("mes",)
    assert model.classify("抖音1688开店")[0].why == ("抖音", "1688", "开店")


def test_one_character_terms_count_only_when_cut_alone(model):
    assert "电" in next(m for m in model.classify("空压机夜晚都开着，浪费好多电") if m.code == "S10").why
    assert all(m.code != "S10" for m in model.classify("电子厂想做排产"))


def _tiny_lexicon(terms: dict[str, dict[int, list[str]]]) -> Lexicon:
    scenarios = {
        code: {"name": f"场景{code}", "group": "g", "terms": terms.get(code, {3: [f"词{code}"]})}
        for code in SCENARIO_CODES
    }
    return Lexicon.from_mapping({
        "scoring": {"saturation": 3, "inside": "0.5", "fuzzy": {"weight": "0.5", "max_scenarios": 2}},
        "scenarios": scenarios,
    })


def test_equal_totals_put_the_strongest_single_word_first():
    model = NeedClassifier(_tiny_lexicon({"S01": {2: ["甲甲"], 1: ["乙乙"]}, "S02": {3: ["丙丙"]}}))
    ranked = model.classify("甲甲，乙乙，丙丙")
    assert [m.code for m in ranked] == ["S02", "S01"]
    assert ranked[0].score == ranked[1].score


def test_general_vocabulary_of_owners(model):
    # Tool names, Cantonese and spoken variants, common typos: words, not sentences of the labelled sets.
    for text, code in [
        ("想知道哪个车间最食电", "S10"),
        ("天燃气用量越来越大", "S10"),
        ("原材料价格波动大，几时入货好", "S11"),
        ("做唔切，客户日日催单", "S05"),
        ("发货后物流单号要手工发给客户", "S12"),
        ("应收款收不回来", "S13"),
        ("每个月都睇唔到数，老细好头痛", "S16"),
        ("公积金同个税计错", "S14"),
        ("合同盖章要跑几个部门", "S15"),
        ("灭火器过期冇人知", "S09"),
    ]:
        assert model.classify(text)[0].code == code, (text, model.classify(text, top=3))


@pytest.mark.parametrize("code", SCENARIO_CODES)
def test_every_scenario_is_reachable(model, code):
    name = model.lexicon.scenarios[code].name
    assert model.classify(f"我们想做好{name}")[0].code == code
    assert any(model.classify(n.text)[0].code == code for n in load_labelled() if n.split == "train")


def test_changing_the_lexicon_needs_no_code_change(lexicon_data):
    text = "想搞个数字孪生工厂"
    assert "S06" not in [m.code for m in NeedClassifier(Lexicon.from_mapping(lexicon_data)).classify(text)]
    data = copy.deepcopy(lexicon_data)
    data["scenarios"]["S06"]["terms"][3].append("数字孪生")
    match = NeedClassifier(Lexicon.from_mapping(data)).classify(text)[0]
    assert (match.code, match.why) == ("S06", ("数字孪生",))


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["scenarios"].pop("S16"), "S01..S16"),
    (lambda d: d["scenarios"]["S03"]["terms"].update({0: ["客户"]}), "scenarios.S03.terms.0"),
    (lambda d: d["scenarios"]["S03"]["terms"][3].append("ＣＲＭ"), "listed twice"),
    (lambda d: d["scoring"].update({"saturation": "x"}), "scoring.saturation"),
    (lambda d: d["scoring"].pop("inside"), "scoring.inside"),
    (lambda d: d["scenarios"]["S05"].pop("name"), "scenarios.S05.name"),
])
def test_a_malformed_lexicon_is_refused_with_its_place(lexicon_data, change, message):
    data = copy.deepcopy(lexicon_data)
    change(data)
    with pytest.raises(LexiconError, match=message):
        Lexicon.from_mapping(data)
