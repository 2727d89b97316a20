"""The 待办 queue on every role's home: what waits for the signed-in user, overdue and oldest first.

Each app registers a provider `provider(request) -> iterable of TodoItem` in its AppConfig.ready();
core never imports an app. A provider returns only what the user may open (its querysets use
`visible_to(user)`) and only what waits for this user's role.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone

LIMIT = 10  # items per kind a provider returns; the page it links to lists the rest


@dataclass(frozen=True)
class TodoItem:
    kind: str  # what sort of step, in words: 入池评审, 项目评审, 镇街初审 …
    title: str  # what it is about (a firm's or provider's name, a project's title)
    url: str  # where the step is taken
    since: dt.date | dt.datetime | None = None  # when it started waiting
    due: dt.date | None = None  # a deadline, if any
    note: str = ""  # one line more (state, what is missing)
    category: str = ""  # a machine tag pages filter on, e.g. "review" (an expert's review tasks)

    @property
    def since_date(self) -> dt.date | None:
        if isinstance(self.since, dt.datetime):
            return timezone.localdate(self.since) if timezone.is_aware(self.since) else self.since.date()
        return self.since

    def overdue(self, today: dt.date) -> bool:
        return self.due is not None and self.due < today


Provider = Callable[[object], Iterable[TodoItem]]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def sort_key(item: TodoItem) -> tuple:
    """Items with a deadline first (earliest first), then the oldest waiting; undated last."""
    since = item.since_date
    return (item.due is None, item.due or dt.date.max, since is None, since or dt.date.max, item.title)


def items_for(request, categories: Iterable[str] | None = None) -> list[TodoItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    wanted = set(categories) if categories is not None else None
    items: list[TodoItem] = []
    for provider in _PROVIDERS:
        for item in provider(request) or ():
            if wanted is None or item.category in wanted:
                items.append(item)
    return sorted(items, key=sort_key)
