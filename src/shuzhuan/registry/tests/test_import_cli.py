"""`shuzhuan import-enterprises PATH [--dry-run] [--skip-invalid] [--report-json OUT]`."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shuzhuan.core.models import Organisation
from shuzhuan.registry.domain import make_uscc
from shuzhuan.registry.models import Enterprise

HEADER = ["统一社会信用代码", "企业名称", "所属镇街", "行业代码", "营业收入", "年度"]


def uscc(n: int) -> str:
    return make_uscc("442000", f"MA7C{n:04d}")


@pytest.fixture
def make_csv(tmp_path):
    def _make(rows):
        path = tmp_path / "企业.csv"
        with path.open("w", encoding="gbk", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            writer.writerows(rows)
        return path

    return _make


def good(n: int) -> list:
    return [uscc(n), f"命令行{n}有限公司", "小榄", "3351", "120万元", "2024"]


def bad(n: int) -> list:
    return [uscc(n), f"命令行{n}有限公司", "小榄", "3351", "很多", "2024"]


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_enterprises", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_all_rows_imported_exit_0_and_report(world, make_csv, tmp_path):
    report_path = tmp_path / "report.json"
    out, _ = run(make_csv([good(1), good(2)]), "--report-json", report_path)
    assert "共 2 行" in out and "新建 2 家" in out
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report == {"rows_total": 2, "rows_valid": 2, "created": 2, "updated": 0, "errors": []}
    assert Enterprise.objects.filter(organisation__uscc__in=[uscc(1), uscc(2)]).count() == 2


def test_errors_exit_1_and_nothing_written(world, make_csv, tmp_path):
    report_path = tmp_path / "report.json"
    with pytest.raises(CommandError) as exc:
        run(make_csv([good(1), bad(2)]), "--report-json", report_path)
    assert exc.value.returncode == 1 and "未导入任何数据" in str(exc.value)
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert (report["rows_total"], report["rows_valid"], report["created"]) == (2, 1, 0)
    assert report["errors"] == [{"row": 3, "column": "营业收入", "code": "invalid_number",
                                 "message": report["errors"][0]["message"]}]
    assert "很多" in report["errors"][0]["message"]
    assert not Organisation.objects.filter(uscc=uscc(1)).exists()


def test_skip_invalid_writes_valid_rows_and_still_exits_1(world, make_csv):
    with pytest.raises(CommandError) as exc:
        run(make_csv([good(1), bad(2)]), "--skip-invalid")
    assert exc.value.returncode == 1
    assert Organisation.objects.filter(uscc=uscc(1)).exists()
    assert not Organisation.objects.filter(uscc=uscc(2)).exists()


def test_dry_run_writes_nothing(world, make_csv):
    out, _ = run(make_csv([good(1)]), "--dry-run")
    assert "将新建 1 家" in out and "试运行" in out
    assert not Organisation.objects.filter(uscc=uscc(1)).exists()


def test_any_town_is_allowed_for_the_system(world, make_csv):
    rows = [good(1), [uscc(2), "古镇某公司", "古镇", "3872", "1", "2024"]]
    run(make_csv(rows))
    assert Enterprise.objects.filter(organisation__uscc__in=[uscc(1), uscc(2)]).count() == 2


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02garbage" * 100, "名称\n甲\n".encode()])
def test_unreadable_file_exit_2_with_report(world, tmp_path, content):
    path, report_path = tmp_path / "x.csv", tmp_path / "report.json"
    path.write_bytes(content)
    with pytest.raises(CommandError) as exc:
        run(path, "--report-json", report_path)
    assert exc.value.returncode == 2 and "无法导入" in str(exc.value)
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["rows_total"] == 0 and report["errors"][0]["row"] == 1


def test_missing_file_exit_2(world, tmp_path):
    with pytest.raises(CommandError) as exc:
        run(tmp_path / "nope.xlsx")
    assert exc.value.returncode == 2


def test_entry_point_exit_code_and_no_traceback(tmp_path):
    """Through the real `shuzhuan` command (hyphenated verb): a binary file → exit 2, Chinese message."""
    path = tmp_path / "binary.xlsx"
    path.write_bytes(bytes(range(256)) * 10)
    env = {**os.environ, "SHUZHUAN_VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "shuzhuan", "import-enterprises", str(path)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert "不是 CSV 或 XLSX" in done.stderr and "Traceback" not in done.stderr
