"""The assessment's rules as data (`data/rules/statistics.yaml`): the pilot target (share and
level, which the chain figures count from too), the report's strength threshold. Read once per
process; each value carries its source, which the pages can cite."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PATH = Path(__file__).resolve().parent / "data" / "rules" / "statistics.yaml"


@dataclass(frozen=True)
class Rules:
    target_share: Decimal
    target_level: int
    strength_share: Decimal
    sources: dict[str, dict[str, Any]]

    def cite(self, key: str) -> str:
        """'财建〔2023〕117号（…） 绩效目标' for a rule's key (target, strength)."""
        source = self.sources.get(key, {})
        return " ".join(str(source[k]) for k in ("document", "article") if source.get(k))


@cache
def rules() -> Rules:
    data = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    share = Decimal(str(data["target"]["share"]))
    strength = Decimal(str(data["strength"]["share"]))
    if not (Decimal(0) < share <= 1 and Decimal(0) < strength <= 1):
        raise ValueError(f"{PATH.name}: shares must be in (0, 1]")
    return Rules(share, int(data["target"]["level"]), strength,
                 {key: dict(data[key].get("source", {})) for key in ("target", "strength")})
