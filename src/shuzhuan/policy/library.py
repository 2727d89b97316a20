"""The policies shipped as data files (`data/policies/<code>.yaml`), checked against the registered facts.

A new policy or a new version is a file edit, never code. A code is a file name, never a path.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from shuzhuan.policy import facts
from shuzhuan.policy.domain.model import Policy
from shuzhuan.policy.domain.parse import POLICY_CODE, PolicyFileError, parse_policy

DATA_DIR = Path(__file__).resolve().parent / "data" / "policies"


class UnknownPolicy(LookupError):
    pass


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key written twice in one mapping."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"键 {key!r} 重复", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load_file(path: Path) -> Policy:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise PolicyFileError(path.name, "", f"YAML 有误：{exc}") from exc
    policy = parse_policy(data, facts.catalog(), origin=path.name)
    if policy.code != path.stem:
        raise PolicyFileError(path.name, "code", f"应与文件名一致（{path.stem}），实际为 {policy.code}")
    return policy


def codes() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.yaml"))


@cache
def _load_file(code: str) -> Policy:
    path = DATA_DIR / f"{code}.yaml"
    if not POLICY_CODE.match(code) or not path.is_file():
        raise UnknownPolicy(code)
    return load_file(path)


_overrides: Callable[[Policy], Policy] | None = None
_overrides_all: Callable[[list[Policy]], list[Policy]] | None = None


def register_overrides(apply: Callable[[Policy], Policy], apply_all: Callable[[list[Policy]], list[Policy]]) -> None:
    """The versions published from what-ifs (stored in the database) are added after the file's
    versions by `apply` / `apply_all` (one query for many; registered by the app in `ready`)."""
    global _overrides, _overrides_all
    _overrides, _overrides_all = apply, apply_all


def load(code: str) -> Policy:
    policy = _load_file(code)
    return _overrides(policy) if _overrides is not None else policy


load.cache_clear = _load_file.cache_clear  # type: ignore[attr-defined]


def load_file_policy(code: str) -> Policy:
    """The policy as its file defines it (cached; no database): for readers that need only the code,
    title and subject (the ledger's catalogue)."""
    return _load_file(code)


def all_policies() -> list[Policy]:
    files = [_load_file(code) for code in codes()]
    return _overrides_all(files) if _overrides_all is not None else files
