"""`shuzhuan policy-test [FILE ...]`: run every policy's YAML test cases (or those of the given files)
on both engines; exit status 1 when a case fails or a file does not load."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shuzhuan.policy import facts, library
from shuzhuan.policy.domain.parse import PolicyFileError
from shuzhuan.policy.domain.testing import run_policy


class Command(BaseCommand):
    help = "运行政策文件中的测试用例（默认全部政策）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="*", help="政策文件（YAML）；省略则运行 data/policies/ 下全部")

    def handle(self, *args, files: list[str], **options) -> None:
        paths = [Path(f) for f in files] or sorted(library.DATA_DIR.glob("*.yaml"))
        passed = failed = 0
        for path in paths:
            if not path.is_file():
                raise CommandError(f"找不到文件 {path}")
            try:
                policy = library.load_file(path)
            except PolicyFileError as exc:
                self.stdout.write(self.style.ERROR(f"✗ {exc}"))
                failed += 1
                continue
            for name, problems in run_policy(policy, facts.catalog()):
                if problems:
                    failed += 1
                    self.stdout.write(self.style.ERROR(f"✗ {policy.code}: {name}"))
                    for problem in problems:
                        self.stdout.write(f"    {problem}")
                else:
                    passed += 1
                    self.stdout.write(f"✓ {policy.code}: {name}")
        summary = f"{passed} 个用例通过，{failed} 个失败（{len(paths)} 个政策文件）"
        if failed:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
