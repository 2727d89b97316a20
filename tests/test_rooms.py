"""Every app has the same rooms (DESIGN "Layout"): an `admin.py` where it has models and an
`api.py` where it has an API; every model is in the admin, and every admin list page answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin

SRC = Path(__file__).resolve().parent.parent / "src" / "shuzhuan"


def _platform_apps():
    return [a for a in apps.get_app_configs() if a.name.startswith("shuzhuan.")]


def test_each_app_with_models_has_an_admin_and_each_with_an_api_router_an_api_module():
    missing = []
    for app in _platform_apps():
        folder = Path(app.path)
        if list(app.get_models()) and not (folder / "admin.py").is_file():
            missing.append(f"{app.label}/admin.py")
        routed = any("Router(" in p.read_text(encoding="utf-8") for p in folder.glob("*.py") if p.name != "api.py")
        if routed and not (folder / "api.py").is_file():
            missing.append(f"{app.label}/api.py")
    assert missing == []


def test_every_platform_model_is_registered_in_the_admin():
    unregistered = [m._meta.label for a in _platform_apps() for m in a.get_models()
                    if m not in admin.site._registry and not m._meta.auto_created]
    # the scheduler's claim rows are internal bookkeeping of core.periodic, not records anyone edits
    assert [label for label in unregistered if label not in {"core.PeriodicRun", "core.LoginFailure"}] == []


@pytest.mark.django_db
def test_every_admin_list_page_answers(world, login):
    c = login(world.users["admin"])
    checked = 0
    for model in admin.site._registry:
        if not model.__module__.startswith("shuzhuan."):
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert c.get(url).status_code == 200, url
        checked += 1
    assert checked >= 30


def test_mypy_checks_every_domain_package():
    """`make test` runs mypy on [tool.mypy] files: every app's domain.py or domain/ must be listed."""
    import tomllib

    config = tomllib.loads((SRC.parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    from fnmatch import fnmatch

    patterns = config["tool"]["mypy"]["files"]
    present = {f"src/shuzhuan/{p.relative_to(SRC)}" for p in [*SRC.glob("*/domain.py"), *SRC.glob("*/domain")]}
    assert len(present) >= 6
    assert [p for p in sorted(present) if not any(fnmatch(p, pattern) for pattern in patterns)] == []
