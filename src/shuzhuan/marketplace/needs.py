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


def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    return Lexicon.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_labelled(path: Path = LABELLED_FILE) -> list[LabelledNeed]:
    return parse_labelled(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def classifier() -> NeedClassifier:
    """The process-wide classifier over the shipped lexicon."""
    return NeedClassifier(load_lexicon())
