"""The demo city as a list of steps that apps register in their `AppConfig.ready`.

`shuzhuan demo-data` (in core) runs the registered steps by their `order` (registry 10, pool 20,
assessments 30, programme 40, matching 50, accounts 1000); core never imports a higher app. A
step whose data is already there is skipped; `--reset` removes every step's data in reverse order,
so that dependants go before what they point at.

- `register_step(step, order=…)`: a `DemoStep` subclass instance, or an `AppStep` naming its
  generator, presence check and reset by dotted path (imported only when the step runs).
- `register_accounts(fn)`: what the demo accounts attach to; `fn()` returns a dict with any of
  `enterprise` (an `Organisation` or None), `uscc_for` (number → USCC for the fictional
  organisations), `provider` (an `Organisation`), `notice` (a line to print first).
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.core.management.base import OutputWrapper
from django.core.management.color import Style


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
    when they own data). A `base` step (the registry) is what later steps build on: they run when
    enterprises are asked for or the base data is there."""

    title = ""
    base = False

    def wanted(self, options: DemoOptions) -> bool:
        return True

    def present(self) -> str:
        """A sentence describing the demo data already there, or "" when there is none."""
        return ""

    def has_data(self) -> bool:
        return bool(self.present())

    def reset(self, out: Output) -> None:
        """Remove this step's demo data (called inside one transaction, last step first)."""

    def run(self, options: DemoOptions, out: Output) -> None:
        raise NotImplementedError


def _resolve(path: str) -> Callable[..., Any]:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


class AppStep(DemoStep):
    """An app's part of the demo city: its generator `run(seed, stdout=…)`, presence check and reset,
    each as "module:function"."""

    def __init__(self, title: str, run: str, present: str, reset: str, what: str):
        self.title, self._run, self._present, self._reset, self.what = title, run, present, reset, what

    def wanted(self, options: DemoOptions) -> bool:
        return options.enterprises > 0 or base_present()

    def present(self) -> str:
        return f"数据库中已有{self.what}" if _resolve(self._present)() else ""

    def reset(self, out: Output) -> None:
        removed = _resolve(self._reset)()
        out.line(f"已删除{self.what}（{removed:,} 条）")

    def run(self, options: DemoOptions, out: Output) -> None:
        _resolve(self._run)(options.seed, stdout=out.stdout)


_steps: list[tuple[int, DemoStep]] = []
_accounts: list[Callable[[], dict[str, Any]]] = []


def register_step(step: DemoStep, *, order: int) -> None:
    if any(existing.title == step.title for _o, existing in _steps):
        return  # ready() may run twice in some test set-ups
    _steps.append((order, step))


def steps() -> list[DemoStep]:
    """Every registered step, by order (ties: registration order)."""
    return [step for _order, step in sorted(_steps, key=lambda pair: pair[0])]


def base_present() -> bool:
    return any(step.has_data() for step in steps() if step.base)


def register_accounts(contribution: Callable[[], dict[str, Any]]) -> None:
    if contribution not in _accounts:
        _accounts.append(contribution)


def account_parts(out: Output) -> dict[str, Any]:
    """The registered contributions merged in registration order; their notices printed."""
    parts: dict[str, Any] = {}
    for contribution in _accounts:
        part = dict(contribution())
        notice = part.pop("notice", "")
        if notice:
            out.notice(notice)
        parts.update(part)
    return parts


class AccountsStep(DemoStep):
    """One demo account per role (`--accounts`), attached to what the apps registered."""

    title = "演示账号"

    def wanted(self, options: DemoOptions) -> bool:
        return options.accounts

    def run(self, options: DemoOptions, out: Output) -> None:
        from shuzhuan.core.demo import ensure_demo_accounts

        parts = account_parts(out)
        accounts = ensure_demo_accounts(parts.get("enterprise"), parts["uscc_for"], provider=parts.get("provider"))
        header = ("用户名", "角色", "范围", "密码", "手机号", "状态")
        rows = [
            (a.username, a.role_label, a.scope, a.password, a.mobile, "新建" if a.created else "已存在（未改动）")
            for a in accounts
        ]
        out.line()
        for line in format_table(header, rows):
            out.line(line)
        out.line("登录：用户名或手机号 + 密码。")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded by display width (a Chinese character takes two)."""
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(str(v) + " " * (w - _width(str(v))) for v, w in zip(row, widths, strict=True)).rstrip()

    return [fmt(header), "  ".join("-" * w for w in widths), *(fmt(r) for r in rows)]
