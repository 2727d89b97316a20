"""Background work: deadline reminders (run daily by the worker's scheduler or `enqueue`)."""

from django_tasks import task

from shuzhuan.programs import services


@task()
def remind_deadlines() -> int:
    """Write a reminder on the timeline of each project past or near its deadline (once a week each)."""
    return services.remind_deadlines()
