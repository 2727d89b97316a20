"""`shuzhuan score-assessment FILE.json`: the API's JSON on stdout; exit 1 on invalid input, 2 on unreadable files."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from shuzhuan.assessment.tests.sheets import FULL_F, FULL_M, answers, rated


def run(path) -> tuple[dict | str, int]:
    out = io.StringIO()
    try:
        call_command("score_assessment", str(path), stdout=out)
        code = 0
    except CommandError as exc:
        code = exc.returncode
        if code == 2:
            return str(exc), code
    return json.loads(out.getvalue()), code


def write(tmp_path, data) -> str:
    path = tmp_path / "sheet.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_prints_result(tmp_path):
    data, code = run(write(tmp_path, {"answers": answers(**FULL_F, **FULL_M), "scenarios": rated(4, 6, 4)}))
    assert code == 0
    assert (data["score"], data["level"], data["indicator_set"]) == (80, 4, "miit-2024")


def test_invalid_sheet_prints_error_json_and_exits_1(tmp_path):
    data, code = run(write(tmp_path, {"answers": answers(F1=["A", "B"]), "scenarios": rated(1, 3, 3)}))
    assert code == 1
    assert data["code"] == "invalid" and data["errors"] == [{"field": "answers.F1", "message": "选项 A「无」不能与其他选项同时选择"}]


def test_unreadable_file_exits_2(tmp_path):
    message, code = run(tmp_path / "missing.json")
    assert code == 2 and "无法读取文件" in message
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    message, code = run(tmp_path / "bad.json")
    assert code == 2 and "不是有效的 JSON" in message


@pytest.mark.parametrize("valid, expected", [(True, 0), (False, 1)])
def test_real_process_exit_codes(tmp_path, valid, expected):
    sheet = {"answers": answers(), "scenarios": rated(1, 3, 3)} if valid else {"answers": {"F1": "Z"}}
    proc = subprocess.run([sys.executable, "-m", "shuzhuan", "score-assessment", write(tmp_path, sheet)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == expected, proc.stderr
    assert json.loads(proc.stdout)["score" if valid else "code"] == (0 if valid else "invalid")
    assert "必答题未作答" in proc.stdout or valid  # ensure_ascii=False: Chinese as is
