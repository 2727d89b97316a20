"""The layers point one way (`shuzhuan.core.layers.LAYERS`, lowest first): an app imports only itself
and lower apps; no app imports `shuzhuan.api`. Every `import` and `from … import` in
`src/shuzhuan` counts, at any depth (inside functions too), relative imports resolved, tests
included. A lower app learns about higher ones only through what they register in `ready()`."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from shuzhuan.core.layers import ASSEMBLY, CONFIGURATION, LAYERS, PROJECT_MODULES

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "shuzhuan"


@dataclass(frozen=True)
class Edge:
    source: str  # importing module, e.g. shuzhuan.funds.services
    target: str  # imported module, e.g. shuzhuan.programs.programmes
    where: str  # path:line
    type_only: bool = False  # under `if TYPE_CHECKING:`

    def __str__(self) -> str:
        return f"{self.where}: {self.source} imports {self.target}"


def module_name(path: Path, root: Path = SRC) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool, where: str = "") -> list[Edge]:
    """Every module `source` (the text of `module`) imports, at any depth."""
    edges = []
    package = module.split(".") if is_package else module.split(".")[:-1]
    tree = ast.parse(source)
    type_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and _is_type_checking(block.test)
                 for stmt in block.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # `from shuzhuan import programs` imports the sub-module shuzhuan.programs
            targets = [origin] + [f"{origin}.{alias.name}" for alias in node.names if origin == PACKAGE]
        edges += [Edge(module, target, f"{where}:{node.lineno}", id(node) in type_only) for target in targets]
    return edges


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == PACKAGE else None


def violation(edge: Edge) -> str | None:
    """Why this edge breaks the layering, or None."""
    source, target = app_of(edge.source), app_of(edge.target)
    if source is None or target is None or source == target:
        return None
    if target == CONFIGURATION:
        return None
    if target == ASSEMBLY or target in PROJECT_MODULES:
        return f"{edge}: nobody imports shuzhuan.{target} (it only assembles the apps)"
    if source == ASSEMBLY or source in PROJECT_MODULES:
        return None
    if source not in LAYERS:
        return f"{edge}: shuzhuan.{source} is not in shuzhuan.core.layers.LAYERS"
    if target not in LAYERS:
        return f"{edge}: shuzhuan.{target} is not in shuzhuan.core.layers.LAYERS"
    if LAYERS.index(target) > LAYERS.index(source):
        return f"{edge}: {source} is below {target} (an upward import; register a hook in {target}'s ready() instead)"
    return None


# Models every app may use directly (DESIGN: the enterprise and the organisation are shared).
SHARED_MODELS = ("core", "registry")
# Modules still reading another app's models, each with the reason; empty it, don't grow it.
PENDING_MODEL_READS: set[str] = set()


def model_reach(edge: Edge) -> str | None:
    """Why this edge reads another app's models directly (apps talk through services), or None."""
    source, target = app_of(edge.source), app_of(edge.target)
    parts = edge.target.split(".")
    if source is None or target is None or source == target or target in SHARED_MODELS or edge.type_only:
        return None
    if len(parts) < 3 or not parts[2].startswith("models"):
        return None
    if ".tests" in edge.source or edge.source in PENDING_MODEL_READS:
        return None  # tests build fixtures of any app
    return f"{edge}: use {target}'s services (or a hook it offers), not its models"


def all_edges() -> list[Edge]:
    edges = []
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        rel = path.relative_to(SRC)
        edges += imports_of(path.read_text(encoding="utf-8"), module_name(path, SRC), path.name == "__init__.py", str(rel))
    return edges


def test_the_walk_sees_the_tree():
    edges = all_edges()
    # a known edge at the top level, one inside a function, and one relative-free sanity figure
    assert any(e.source == "shuzhuan.funds.services" and e.target == "shuzhuan.funds.models" for e in edges)
    assert any(e.source == "shuzhuan.programs.apps" and e.target == "shuzhuan.funds.programmes" for e in edges)
    assert len({e.source for e in edges}) > 200


def test_every_app_is_in_the_order():
    apps = {p.name for p in (SRC / PACKAGE).iterdir() if (p / "apps.py").is_file()}
    assert apps - {ASSEMBLY} <= set(LAYERS), f"add {sorted(apps - {ASSEMBLY} - set(LAYERS))} to LAYERS"


def test_no_upward_edge_and_nobody_imports_the_api():
    problems = [v for e in all_edges() if (v := violation(e))]
    assert not problems, "imports against the layering:\n" + "\n".join(problems)


def test_apps_read_each_other_through_services_not_models():
    problems = [v for e in all_edges() if (v := model_reach(e))]
    assert not problems, "direct reads of another app's models:\n" + "\n".join(problems)


# --- the check itself can fail ------------------------------------------------------------------------

@pytest.mark.parametrize(("module", "is_package", "code", "target"), [
    ("shuzhuan.funds.services", False, "from shuzhuan.programs import programmes", "shuzhuan.programs"),
    ("shuzhuan.core.management.commands.demo_data", False,
     "def f():\n    from shuzhuan.registry import demo\n", "shuzhuan.registry"),
    ("shuzhuan.core.x", False, "import shuzhuan.marketplace.models as m", "shuzhuan.marketplace.models"),
    ("shuzhuan.registry.views", True, "from ...assessment import results", "shuzhuan.assessment"),
    ("shuzhuan.funds.views", False, "from shuzhuan import insights", "shuzhuan.insights"),
    ("shuzhuan.policy.engine", False, "from shuzhuan.finance.models import Loan", "shuzhuan.finance.models"),
])
def test_an_upward_edge_fails(module, is_package, code, target):
    edges = imports_of(code, module, is_package)
    assert target in {e.target for e in edges}
    assert [v for e in edges if (v := violation(e))], f"{code!r} in {module} should break the layering"


@pytest.mark.parametrize(("module", "code"), [
    ("shuzhuan.marketplace.api", "from shuzhuan.api.errors import ApiError"),
    ("shuzhuan.core.views", "import shuzhuan.api.api"),
    ("shuzhuan.registry.views", "from shuzhuan.urls import urlpatterns"),
])
def test_importing_the_api_fails(module, code):
    assert [v for e in imports_of(code, module, False) if (v := violation(e))]


@pytest.mark.parametrize(("module", "code"), [
    ("shuzhuan.programs.services", "from shuzhuan.marketplace.services import pool"),
    ("shuzhuan.assessment.views", "from shuzhuan.registry.models import Enterprise"),
    ("shuzhuan.marketplace.views.pool", "from . import match\nfrom ..models import Offering"),
    ("shuzhuan.api.api", "from shuzhuan.programs.api import router"),
    ("shuzhuan.insights.reports", "from shuzhuan.finance import services"),
    ("shuzhuan.urls", "from shuzhuan.programs import urls"),
    ("shuzhuan.core.tests.test_x", "from shuzhuan import settings"),
])
def test_downward_and_own_edges_pass(module, code):
    assert not [v for e in imports_of(code, module, module.endswith("views")) if (v := violation(e))]


def test_relative_imports_resolve():
    edges = imports_of("from ..models import Offering\nfrom . import match", "shuzhuan.marketplace.views.pool", False)
    assert {e.target for e in edges} == {"shuzhuan.marketplace.models", "shuzhuan.marketplace.views"}
    edges = imports_of("from .pool import x", "shuzhuan.marketplace.views", True)
    assert {e.target for e in edges} == {"shuzhuan.marketplace.views.pool"}


@pytest.mark.parametrize(("module", "code", "reaches"), [
    ("shuzhuan.programs.services.satisfaction", "from shuzhuan.marketplace.models import ProviderProfile", True),
    ("shuzhuan.marketplace.views.match", "def f():\n    from shuzhuan.assessment.models import Assessment\n", True),
    ("shuzhuan.marketplace.views.match", "from shuzhuan.assessment.results import official_results", False),
    ("shuzhuan.programs.services.listings", "from shuzhuan.registry.models import Enterprise", False),
    ("shuzhuan.marketplace.services.match",
     "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from shuzhuan.assessment.models import Assessment\n", False),
    ("shuzhuan.programs.tests.factories", "from shuzhuan.marketplace.models import ProviderProfile", False),
])
def test_a_model_read_across_apps_fails(module, code, reaches):
    found = [v for e in imports_of(code, module, False) if (v := model_reach(e))]
    assert bool(found) is reaches, found
