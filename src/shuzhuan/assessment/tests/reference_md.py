"""Read the reference fact table (reference/miit-2024-indicators.md) into plain dicts.

Used only by the cross-check test: the YAML indicator set is compared with the markdown it was
transcribed from: docs/reference/miit-2024-indicators.md, a copy of shared/reference's file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[4] / "docs" / "reference" / "miit-2024-indicators.md"
LEVEL_NAMES = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}


@dataclass
class RefQuestion:
    code: str
    text: str
    dimension: str = ""
    second_level: str = ""
    indicator: str = ""
    multi: bool = False
    points: Decimal = Decimal(0)
    help: str = ""
    options: list[tuple[str, str, Decimal]] = field(default_factory=list)


@dataclass
class RefScenario:
    code: str
    name: str
    group: str
    mandatory: bool
    levels: dict[int, str] = field(default_factory=dict)


def reference_path() -> Path:
    return REFERENCE


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse(text: str) -> tuple[dict[str, RefQuestion], dict[str, RefScenario]]:
    questions: dict[str, RefQuestion] = {}
    scenarios: dict[str, RefScenario] = {}
    q: RefQuestion | None = None
    s: RefScenario | None = None
    in_scenario_table = False
    for line in text.splitlines():
        if m := re.match(r"^### ([FMR]\d) — (.+)$", line):
            q, s = RefQuestion(code=m[1], text=m[2].strip()), None
            questions[q.code] = q
            continue
        if m := re.match(r"^#### (S\d\d) (\S+) \(.*\) — (\S+)( — ★约束性)?$", line):
            s, q = scenarios[m[1]], None
            continue
        if line.startswith("## ") or line.startswith("### "):
            q = s = None
            in_scenario_table = line.startswith("## 4.")
            continue
        if q is not None:
            if m := re.match(r"^- Dimension / 二级 / 三级: (.+) / (.+) / (.+)$", line):
                q.dimension, q.second_level, q.indicator = m[1], m[2], m[3]
            elif line.startswith("- Type:"):
                q.multi = "多选" in line
            elif m := re.match(r"^- Points \(question `score` in A\): ([\d.]+)$", line):
                q.points = Decimal(m[1])
            elif m := re.match(r"^- 说明 \(questionDescription\): (.+)$", line):
                q.help = m[1].strip()
            elif m := re.match(r"^\| ([A-Z]) \| (.+?) \| .+ \| [\d.]+ \| ([\d.]+) \|$", line):
                q.options.append((m[1], m[2].strip(), Decimal(m[3])))
        elif s is not None:
            if m := re.match(r"^\| (一级|二级|三级|四级) \| (.+?) \| .+ \|$", line):
                s.levels[LEVEL_NAMES[m[1]]] = m[2].strip()
        elif in_scenario_table:
            if m := re.match(r"^\| (S\d\d) \| (\S+) \(.+?\) \| (\S+) \| .+ \| (.+) \| (true|false) \|$", line):
                scenarios[m[1]] = RefScenario(code=m[1], group=m[2], name=m[3], mandatory="是" in m[4])
    return questions, scenarios
