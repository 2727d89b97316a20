"""The left-hand menu, by role. Each app registers its entries in its AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    roles: frozenset[str] | None  # None: every signed-in user
    icon: str = "circle"
    order: int = 100
    group: str | None = None  # a heading key; None: the URL's namespace ("registry:list" → "registry")
    exclude_roles: frozenset[str] = frozenset()  # roles that never see the entry (even if `roles` is None)

    @property
    def group_key(self) -> str:
        return self.group if self.group is not None else self.url_name.partition(":")[0]


_MENU: list[MenuItem] = []
# Headings of the left menu by domain: key -> (label, order). Apps register theirs in ready().
_GROUPS: dict[str, tuple[str, int]] = {}


def register(label: str, url_name: str, roles=None, icon: str = "circle", order: int = 100,
             group: str | None = None, exclude_roles=()) -> None:
    item = MenuItem(label, url_name, frozenset(roles) if roles else None, icon, order, group, frozenset(exclude_roles))
    if item not in _MENU:
        _MENU.append(item)
        _MENU.sort(key=lambda m: m.order)


def register_group(key: str, label: str, order: int) -> None:
    """A heading of the left menu; entries whose group (by default their URL namespace) is `key` sit under it."""
    _GROUPS[key] = (label, order)


def menu_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    # A superuser counts as an administrator: entries of an organisation's own pages (本企业档案, 推荐方案,
    # 服务商中心 …) would lead an administrator, who has no organisation, to a dead end.
    role = "admin" if user.is_superuser else user.role
    items = []
    for item in _MENU:
        if item.roles is not None and role not in item.roles:
            continue
        if role in item.exclude_roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": active, "group": item.group_key})
    return items


def grouped_menu(items: list[dict]) -> list[dict]:
    """The menu's entries under their domain headings, headings in their registered order; entries of an
    unregistered group (or the empty group, e.g. 工作台) come first without a heading."""
    groups: dict[str, list[dict]] = {}
    for item in items:
        groups.setdefault(item["group"] if item["group"] in _GROUPS else "", []).append(item)
    ordered = sorted(groups, key=lambda key: (key != "", _GROUPS.get(key, ("", 0))[1]))
    return [{"key": key, "label": _GROUPS[key][0] if key else "", "items": groups[key]} for key in ordered]


# --- key-figure cards on the home page: each app adds a provider(request) -> list of cards --------
_CARD_PROVIDERS: list = []


def register_cards(provider) -> None:
    if provider not in _CARD_PROVIDERS:
        _CARD_PROVIDERS.append(provider)


def cards_for(request) -> list[dict]:
    cards: list[dict] = []
    for provider in _CARD_PROVIDERS:
        cards.extend(provider(request))
    return cards
