"""The registry's part of `shuzhuan demo-data`: the enterprises (一企一档), the base every later
step builds on, and the enterprise the demo account belongs to. Registered in `RegistryConfig.ready`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from shuzhuan.core.demo_steps import DemoOptions, DemoStep, Output

PROGRESS_EVERY = 100_000


def _demo() -> Any:
    from shuzhuan.registry import demo  # the generator is imported only when the command runs

    return demo


class RegistryStep(DemoStep):
    title = "企业库（一企一档）"
    base = True

    def wanted(self, options: DemoOptions) -> bool:
        return options.enterprises > 0

    def has_data(self) -> bool:
        return _demo().demo_registry_present()

    def present(self) -> str:
        if not _demo().demo_registry_present():
            return ""
        return f"数据库中已有 {_demo().demo_registry_count():,} 家示范企业"

    def reset(self, out: Output) -> None:
        removed = _demo().delete_demo_registry()
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
            result = _demo().build_demo_registry(total, options.seed, progress=progress)
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


def demo_accounts() -> dict[str, Any]:
    """The enterprise account's organisation and the USCCs of the fictional provider and bank."""
    cal = _demo().calibration()
    firm = _demo().pick_demo_enterprise()
    part: dict[str, Any] = {"enterprise": firm.organisation if firm else None, "uscc_for": cal.account_uscc}
    if firm is None:
        part["notice"] = "没有示范企业，跳过企业账号（先生成企业库：--enterprises N）"
    return part
