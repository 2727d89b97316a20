"""The one place that lists the apps' layers, lowest first (DESIGN: dependencies point one way).

An app may import only itself and the apps before it here; a lower app learns about higher ones
only through what they register in `AppConfig.ready` (relationships, conflict rules, demo steps,
the programme catalogue, navigation, periodic tasks). `api` only assembles the apps' routers and
nobody imports it. `tests/test_layers.py` walks every import in `src/shuzhuan` and enforces this.
"""

from __future__ import annotations

LAYERS: tuple[str, ...] = (
    "core",
    "registry",
    "funds",
    "policy",
    "assessment",
    "marketplace",
    "programs",
    "finance",
    "credit",
    "insights",
)

# Above every app: `api` (the routers) and the project modules (`urls`, `wsgi`, `__main__`) may
# import any app; no app imports them. `settings` is configuration, below everything.
ASSEMBLY = "api"
PROJECT_MODULES: tuple[str, ...] = ("urls", "wsgi", "__main__")
CONFIGURATION = "settings"
