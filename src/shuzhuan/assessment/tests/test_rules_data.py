"""The assessment's rules come from data/rules/statistics.yaml, each with its source."""

from decimal import Decimal

import pytest

from shuzhuan.assessment import reports, rules, statistics


def test_the_rules_file_gives_the_target_and_the_strength_threshold_with_sources():
    r = rules.rules()
    assert (r.target_share, r.target_level, r.strength_share) == (Decimal("0.90"), 2, Decimal("0.6"))
    assert "财建〔2023〕117号" in r.cite("target") and r.cite("strength")
    assert (statistics.TARGET, statistics.TARGET_LEVEL, reports.STRENGTH_SHARE) == (r.target_share, 2, r.strength_share)


def test_a_changed_file_changes_the_rules(tmp_path, monkeypatch):
    text = rules.PATH.read_text(encoding="utf-8").replace('share: "0.90"', 'share: "0.80"')
    path = tmp_path / "statistics.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(rules, "PATH", path)
    rules.rules.cache_clear()
    try:
        assert rules.rules().target_share == Decimal("0.80")
        path.write_text(text.replace('share: "0.80"', 'share: "1.5"'), encoding="utf-8")
        rules.rules.cache_clear()
        with pytest.raises(ValueError, match="shares"):
            rules.rules()
    finally:
        rules.rules.cache_clear()
