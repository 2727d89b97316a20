"""`shuzhuan demo-data [--enterprises N] [--seed S] [--accounts] [--reset]`: build the demo city.

The work is the list of steps the apps register in their `AppConfig.ready`
(`shuzhuan.core.demo_steps.register_step`), run by their order: registry first, accounts last. A
step whose data is already there is skipped with a message, so re-running never duplicates;
`--reset` removes every step's demo data first, in reverse order, so that dependants go before
what they point at.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from shuzhuan.core.demo_steps import DemoOptions, Output, steps


class Command(BaseCommand):
    help = "生成示范城市数据（确定性：同一种子、同一规模得到相同数据）并可创建各角色演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=20_000, help="示范企业数量（默认 20000）")
        parser.add_argument("--seed", type=int, default=2024, help="随机种子（默认 2024）")
        parser.add_argument("--accounts", action="store_true", help="创建每个角色的演示账号并打印")
        parser.add_argument("--reset", action="store_true", help="先删除已有的示范数据再重新生成")

    def handle(self, *args, enterprises: int = 20_000, seed: int = 2024, accounts: bool = False,
               reset: bool = False, **opts) -> None:
        if enterprises < 0:
            raise CommandError("--enterprises 不能为负数")
        options = DemoOptions(enterprises=enterprises, seed=seed, accounts=accounts, reset=reset)
        out = Output(self.stdout, self.style)
        all_steps = steps()
        if reset:
            try:
                with transaction.atomic():
                    for step in reversed(all_steps):
                        step.reset(out)
            except IntegrityError as exc:
                raise CommandError(f"无法删除示范数据：仍有其他数据引用它们（{exc}）") from exc
        for step in all_steps:
            if not step.wanted(options):
                continue
            out.success(f"== {step.title}")
            existing = step.present()
            if existing:
                out.notice(f"{existing}，跳过此步（用 --reset 删除后重新生成）")
                continue
            step.run(options, out)
        out.success(f"示范数据完成，总用时 {out.elapsed():.1f} 秒")
