"""The left-hand menu, by role. Each app registers its entries in its AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


def _has_role(user, roles) -> bool:
    from shuzhuan.core.models import has_role  # navigation is imported while apps load

    return has_role(user, roles)


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    roles: frozenset[str] | None  # None: every signed-in user
    icon: str = "circle"
    order: int = 100


_MENU: list[MenuItem] = []


def register(label: str, url_name: str, roles=None, icon: str = "circle", order: int = 100) -> None:
    item = MenuItem(label, url_name, frozenset(roles) if roles else None, icon, order)
    if item not in _MENU:
        _MENU.append(item)
        _MENU.sort(key=lambda m: m.order)


def menu_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    for item in _MENU:
        if item.roles is not None and not _has_role(user, item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    return items


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
