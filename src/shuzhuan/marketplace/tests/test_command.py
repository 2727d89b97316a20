"""`shuzhuan evaluate-need-classifier`."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command

from shuzhuan.marketplace.domain.evaluate import HELDOUT, select
from shuzhuan.marketplace.needs import load_labelled


def run(*args: str) -> str:
    out = StringIO()
    call_command("evaluate_need_classifier", *args, stdout=out)
    return out.getvalue()


def test_text_report_names_the_figures():
    text = run("--split", "train")
    assert "split=train" in text and "top-1" in text and "top-3" in text
    assert "S08 设备管理" in text and "confusions" in text


def test_json_report_for_heldout_by_default():
    data = json.loads(run("--json"))
    assert data["split"] == HELDOUT and data["k"] == 3
    assert data["primary_label"]["n"] == len(select(load_labelled(), HELDOUT))
    assert set(data) >= {"any_label", "recall", "confusions", "misses"}
    assert data["any_label"]["top3"] >= data["primary_label"]["top3"]


def test_all_covers_every_item():
    assert json.loads(run("--split", "all", "--json"))["primary_label"]["n"] == len(load_labelled())
