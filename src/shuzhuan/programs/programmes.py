"""The programmes shipped as data files (`data/programmes/<code>.yaml`), parsed once per process.

A new programme (a town's own scheme, next year's caps) is a new file or a new version in a file;
no code changes. A code is a file name, never a path.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from shuzhuan.programs.domain.errors import ProgrammeFileError
from shuzhuan.programs.domain.model import Programme
from shuzhuan.programs.domain.parse import PROGRAMME_CODE, parse_programme

DATA_DIR = Path(__file__).resolve().parent / "data" / "programmes"


class UnknownProgramme(LookupError):
    pass


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key written twice in one mapping (plain YAML keeps the last silently).

    Keys brought in by a merge (`<<: *anchor`) may be overridden, as YAML intends.
    """


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


def load_file(path: Path) -> Programme:
    """Parse and validate one programme file; its `code` must be its file name."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ProgrammeFileError(path.name, "", f"YAML 有误：{exc}") from exc
    programme = parse_programme(data, origin=path.name)
    if programme.code != path.stem:
        raise ProgrammeFileError(path.name, "code", f"应与文件名一致（{path.stem}），实际为 {programme.code}")
    return programme


def available() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.yaml"))


@cache
def load(code: str) -> Programme:
    path = DATA_DIR / f"{code}.yaml"
    if not PROGRAMME_CODE.match(code) or not path.is_file():
        raise UnknownProgramme(code)
    return load_file(path)
