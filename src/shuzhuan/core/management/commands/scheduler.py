"""`shuzhuan scheduler [--once] [--max-sleep SECONDS]`: enqueues the periodic tasks when they are due.

Runs beside `shuzhuan db_worker` (which runs what it enqueues). Several schedulers may run at once:
each period of each task is enqueued once (`shuzhuan.core.periodic`). A failed check (the database
away for a moment) is logged and tried again after the sleep.
"""

from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from shuzhuan.core import periodic

logger = logging.getLogger("shuzhuan.core.periodic")


class Command(BaseCommand):
    help = "按周期把到期的后台任务加入队列（由 db_worker 执行）；--once 只检查一次后退出"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="检查一次、加入到期的任务后退出（用于 cron 与测试）")
        parser.add_argument("--max-sleep", type=float, default=60.0, help="两次检查之间最长等待的秒数（默认 60）")

    def handle(self, once: bool, max_sleep: float, **options):
        entries = periodic.registered()
        if not once:
            names = "、".join(entry.name for entry in entries) or "无"
            self.stdout.write(f"周期任务调度已启动：{names}")
        try:
            while True:
                checked = self._check()
                if once:
                    if not checked:
                        raise CommandError("周期任务检查失败，详见日志")
                    return
                close_old_connections()
                now = timezone.localtime()
                # A second past the next period's start, so the check lands inside it.
                time.sleep(max(1.0, periodic.seconds_to_next([e.schedule for e in entries], now, max_sleep) + 1))
        except KeyboardInterrupt:
            return

    def _check(self) -> bool:
        try:
            enqueued = periodic.run_due()
        except Exception:  # the database away for a moment: say so, try again after the sleep
            logger.exception("periodic tasks: the check failed")
            return False
        for name in enqueued:
            self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} 已加入队列：{name}")
        return True
