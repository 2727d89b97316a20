"""`shuzhuan demo-data [--enterprises N] [--seed S] [--accounts] [--reset]`: build the demo city.

The work is a list of steps run in order (registry first, accounts last); later apps add their
own step (providers, assessments, loans, …) to `STEPS`. A step whose data is already there is
skipped with a message, so re-running never duplicates; `--reset` removes every step's demo data
first, in reverse order, so that dependants go before what they point at.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.core.management.color import Style
from django.db import IntegrityError, transaction

from shuzhuan.core.demo import ensure_demo_accounts
from shuzhuan.registry import demo as registry_demo

PROGRESS_EVERY = 100_000


@dataclass(frozen=True)
class DemoOptions:
    enterprises: int
    seed: int
    accounts: bool
    reset: bool


class Output:
    """What steps print through: plain lines, notices and successes, flushed as they come."""

    def __init__(self, stdout: OutputWrapper, style: Style):
        self.stdout, self.style = stdout, style
        self.started = time.perf_counter()

    def line(self, text: str = "") -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def notice(self, text: str) -> None:
        self.line(self.style.WARNING(text))

    def success(self, text: str) -> None:
        self.line(self.style.SUCCESS(text))

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


class DemoStep:
    """One part of the demo city. Subclasses set `title` and implement `run` (and `present`/`reset`
    when they own data)."""

    title = ""

    def wanted(self, options: DemoOptions) -> bool:
        return True

    def present(self) -> str:
        """A sentence describing the demo data already there, or "" when there is none."""
        return ""

    def reset(self, out: Output) -> None:
        """Remove this step's demo data (called inside one transaction, last step first)."""

    def run(self, options: DemoOptions, out: Output) -> None:
        raise NotImplementedError


class RegistryStep(DemoStep):
    title = "企业库（一企一档）"

    def wanted(self, options: DemoOptions) -> bool:
        return options.enterprises > 0

    def present(self) -> str:
        if not registry_demo.demo_registry_present():
            return ""
        return f"数据库中已有 {registry_demo.demo_registry_count():,} 家示范企业"

    def reset(self, out: Output) -> None:
        removed = registry_demo.delete_demo_registry()
        out.line(f"已删除 {removed:,} 家示范企业及其年度数据")

    def run(self, options: DemoOptions, out: Output) -> None:
        total = options.enterprises
        out.line(f"生成 {total:,} 家示范企业（种子 {options.seed}）…")

        last = 0

        def progress(done: int, total: int) -> None:
            nonlocal last
            if done // PROGRESS_EVERY > last // PROGRESS_EVERY or done == total:
                out.line(f"  企业 {done:,} / {total:,}（{out.elapsed():.1f} 秒）")
            last = done

        try:
            result = registry_demo.build_demo_registry(total, options.seed, progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        c, n = result.counts, result.enterprises
        out.line(
            f"  {n:,} 家企业、{result.years:,} 条年度数据，用时 {result.seconds:.1f} 秒"
            f"（{n / max(result.seconds, 1e-9):,.0f} 家/秒）"
        )
        out.line(
            f"  规模以上 {c['above_scale']:,} 家（{c['above_scale'] / n:.1%}）；"
            f"大型 {c['size:large']:,} · 中型 {c['size:medium']:,} · 小型 {c['size:small']:,} · 微型 {c['size:micro']:,}"
        )
        zjtx = c["zjtx:innovative"] + c["zjtx:zjtx"] + c["zjtx:little_giant"]
        out.line(
            f"  专精特新 {zjtx:,}（其中小巨人 {c['zjtx:little_giant']:,}）· 高新技术 {c['high_tech']:,} · "
            f"链主 {c['chain_leader']:,} · 上规上限培育库 {c['cultivation_directory']:,} · 上云 {c['on_cloud']:,}"
        )


class AppStep(DemoStep):
    """A later app's part of the demo city: its generator, presence check and reset, by name."""

    def __init__(self, title: str, run: Callable[..., object], present: Callable[[], bool],
                 reset: Callable[[], int], what: str):
        self.title, self._run, self._present, self._reset, self.what = title, run, present, reset, what

    def wanted(self, options: DemoOptions) -> bool:
        return options.enterprises > 0 or registry_demo.demo_registry_present()

    def present(self) -> str:
        return f"数据库中已有{self.what}" if self._present() else ""

    def reset(self, out: Output) -> None:
        removed = self._reset()
        out.line(f"已删除{self.what}（{removed:,} 条）")

    def run(self, options: DemoOptions, out: Output) -> None:
        self._run(options.seed, stdout=out.stdout)


def app_steps() -> list[DemoStep]:
    from shuzhuan.assessment import demo as assessment_demo
    from shuzhuan.finance import demo as finance_demo
    from shuzhuan.marketplace import demo_match, demo_pool
    from shuzhuan.programs import demo as programme_demo

    return [
        AppStep("供给资源池（服务商、解决方案、产品）", demo_pool.generate_pool, demo_pool.pool_present,
                demo_pool.delete_demo_pool, "示范资源池"),
        AppStep("数字化水平评测", assessment_demo.generate_assessments, assessment_demo.demo_assessments_present,
                assessment_demo.delete_demo_assessments, "示范评测"),
        AppStep("城市试点与改造项目", programme_demo.generate_programme, programme_demo.present,
                programme_demo.reset_programme, "示范试点项目"),
        AppStep("供需对接、产业联合体与链主", demo_match.generate_match, demo_match.match_present,
                demo_match.delete_demo_match, "示范需求与对接"),
        AppStep("数字贷（合作银行、产品、备案与贷款）", finance_demo.generate_finance, finance_demo.present,
                finance_demo.reset_finance, "示范数字贷"),
    ]


class AccountsStep(DemoStep):
    title = "演示账号"

    def wanted(self, options: DemoOptions) -> bool:
        return options.accounts

    def run(self, options: DemoOptions, out: Output) -> None:
        cal = registry_demo.calibration()
        firm = registry_demo.pick_demo_enterprise()
        if firm is None:
            out.notice("没有示范企业，跳过企业账号（先生成企业库：--enterprises N）")
        from shuzhuan.marketplace.demo_pool import demo_account_provider

        accounts = ensure_demo_accounts(firm.organisation if firm else None, cal.account_uscc,
                                        provider=demo_account_provider())
        header = ("用户名", "角色", "范围", "密码", "手机号", "状态")
        rows = [
            (a.username, a.role_label, a.scope, a.password, a.mobile, "新建" if a.created else "已存在（未改动）")
            for a in accounts
        ]
        out.line()
        for line in format_table(header, rows):
            out.line(line)
        out.line("登录：用户名或手机号 + 密码。")


STEPS: list[DemoStep] = [RegistryStep(), *app_steps(), AccountsStep()]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded by display width (a Chinese character takes two)."""
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(str(v) + " " * (w - _width(str(v))) for v, w in zip(row, widths, strict=True)).rstrip()

    return [fmt(header), "  ".join("-" * w for w in widths), *(fmt(r) for r in rows)]


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
        if reset:
            try:
                with transaction.atomic():
                    for step in reversed(STEPS):
                        step.reset(out)
            except IntegrityError as exc:
                raise CommandError(f"无法删除示范数据：仍有其他数据引用它们（{exc}）") from exc
        for step in STEPS:
            if not step.wanted(options):
                continue
            out.success(f"== {step.title}")
            existing = step.present()
            if existing:
                out.notice(f"{existing}，跳过此步（用 --reset 删除后重新生成）")
                continue
            step.run(options, out)
        out.success(f"示范数据完成，总用时 {out.elapsed():.1f} 秒")
