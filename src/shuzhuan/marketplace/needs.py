"""Need understanding, wired to its data files: the scenario lexicon and the labelled needs."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from shuzhuan.marketplace.domain.classify import Lexicon, NeedClassifier
from shuzhuan.marketplace.domain.evaluate import LabelledNeed, parse_labelled

DATA = Path(__file__).resolve().parent / "data"
LEXICON_FILE = DATA / "scenario_lexicon.yaml"
LABELLED_FILE = DATA / "needs_labelled.yaml"
DEV_FILE = DATA / "needs_dev.yaml"


def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    return Lexicon.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")))


def part_name(path: Path) -> str:
    """The part the items without `split` form: the file name without `needs_` (needs_dev.yaml -> dev)."""
    stem = path.stem
    return stem.removeprefix("needs_") or stem


def load_labelled(path: Path = LABELLED_FILE) -> list[LabelledNeed]:
    """A labelled-needs file. The main set (it declares a `split_rule`) needs a `split` on every item;
    in any other file the items without one form the part `part_name(path)`."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    strict = isinstance(data, dict) and "split_rule" in data
    return parse_labelled(data, part=None if strict else part_name(path))


@cache
def classifier() -> NeedClassifier:
    """The process-wide classifier over the shipped lexicon."""
    return NeedClassifier(load_lexicon())
