"""The last period each periodic task was enqueued for (`shuzhuan.core.periodic`): one row a task.

A scheduler claims a period with one conditional UPDATE (`period_start < the new period`) in the same
transaction as the enqueue, so of several schedulers — or one restarted — exactly one enqueues it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicRun(models.Model):
    name = models.CharField(_("周期任务"), max_length=100, unique=True)
    # Start of the last period claimed; null until the first run.
    period_start = models.DateTimeField(_("最近周期"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("最近加入队列"), null=True, blank=True)
    # The task backend's id of the last enqueued run.
    result_id = models.CharField(_("任务编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("周期任务记录")
        verbose_name_plural = _("周期任务记录")

    def __str__(self) -> str:
        return self.name
