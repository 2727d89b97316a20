"""`shuzhuan score-assessment FILE.json`: score one sheet and print the API's JSON.

Exit 0 with the result; 1 with the error JSON on stdout when the sheet is invalid; 2 when the file
cannot be read or is not JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shuzhuan.assessment.domain.errors import AssessmentInputError
from shuzhuan.assessment.payload import error_json, evaluate


class Command(BaseCommand):
    help = "按指标体系为一份答卷评分：shuzhuan score-assessment FILE.json（格式同 POST /api/v1/assessment/score）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="答卷 JSON 文件（- 表示标准输入）")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
            body = json.loads(text)
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror or exc}", returncode=2) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"文件 {file} 不是 UTF-8 文本", returncode=2) from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"文件 {file} 不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）", returncode=2) from exc
        try:
            out, code = evaluate(body), 0
        except AssessmentInputError as exc:
            out, code = error_json(exc), 1
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
        if code:
            raise CommandError("答卷有误，详见上方 errors", returncode=code)
