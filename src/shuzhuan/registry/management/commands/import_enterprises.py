"""`shuzhuan import-enterprises PATH [--dry-run] [--skip-invalid] [--report-json OUT]`.

Exit codes: 0 every row accepted, 1 some rows rejected, 2 the file could not be read at all.
Runs as the system (no user): rows of any town are accepted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shuzhuan.registry.imports.service import ImportFileError, ImportReport, import_file

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "导入企业名录（CSV 或 XLSX）：按统一社会信用代码 + 年度新增或更新，先校验全部行"

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV（UTF-8 或 GBK）或 XLSX 文件")
        parser.add_argument("--dry-run", action="store_true", help="只校验并统计将新建/更新的企业，不写入")
        parser.add_argument("--skip-invalid", action="store_true", help="跳过有错误的行，导入其余有效行")
        parser.add_argument("--report-json", metavar="OUT", help="把校验报告写入该 JSON 文件")

    def handle(self, *args: Any, path: str, dry_run: bool, skip_invalid: bool, report_json: str | None, **options: Any):
        progress = self._progress if options.get("verbosity", 1) > 1 else None
        try:
            report = import_file(Path(path), dry_run=dry_run, skip_invalid=skip_invalid, progress=progress)
        except ImportFileError as exc:
            self._save(report_json, ImportReport.fatal(exc))
            raise CommandError(f"无法导入 {path}：{exc.message}", returncode=2) from None
        self._save(report_json, report.as_dict())
        self._print(report, dry_run)
        if report.rows_rejected:
            raise CommandError(self._rejected_line(report, dry_run, skip_invalid), returncode=1)

    def _print(self, report: ImportReport, dry_run: bool) -> None:
        verb = "将" if dry_run or report.rolled_back else "已"
        self.stdout.write(
            f"共 {report.rows_total} 行，有效 {report.rows_valid} 行；"
            f"{verb}新建 {report.created} 家，{verb}更新 {report.updated} 家"
            + ("（试运行，未写入）" if dry_run else "")
        )
        for error in report.errors[:SHOWN_ERRORS]:
            self.stderr.write(f"第 {error['row']} 行 [{error['column']}] {error['code']}：{error['message']}")
        if report.error_count > SHOWN_ERRORS:
            self.stderr.write(f"……共 {report.error_count} 条错误，完整列表请用 --report-json 导出")

    @staticmethod
    def _rejected_line(report: ImportReport, dry_run: bool, skip_invalid: bool) -> str:
        if dry_run:
            return f"{report.rows_rejected} 行未通过校验"
        if skip_invalid:
            return f"{report.rows_rejected} 行未通过校验，已跳过；其余 {report.rows_valid} 行已导入"
        return f"{report.rows_rejected} 行未通过校验，未导入任何数据（修正后重试，或加 --skip-invalid 只导入有效行）"

    @staticmethod
    def _save(out: str | None, data: dict[str, Any]) -> None:
        if out:
            Path(out).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")

    def _progress(self, done: int, total: int | None = None, message: str = "", force: bool = False) -> None:
        print(f"\r{message} {done}/{total or '?'}", end="\n" if force else "", file=sys.stderr, flush=True)
