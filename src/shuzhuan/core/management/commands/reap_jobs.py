from django.core.management.base import BaseCommand

from shuzhuan.core import jobs


class Command(BaseCommand):
    help = (
        "将工作进程已中断的后台任务标记为失败：shuzhuan reap-jobs"
        "（任务已结束却未收尾，或运行中超过 SHUZHUAN_JOB_STALE_AFTER 秒没有进展）"
    )

    def handle(self, **opts):
        reaped = jobs.reap_stale()
        for job in reaped:
            self.stdout.write(f"{job.pk}  {job.title}  ({job.result.get('interrupted', '')})")
        self.stdout.write(f"已标记为失败：{len(reaped)} 个中断的后台任务")
