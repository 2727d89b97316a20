"""Facts from records: each batch loader agrees with its single loader on a built population, and
`policy-test` runs every policy's YAML cases."""

from __future__ import annotations

import io
import random

import pytest
from django.core.management import CommandError, call_command

from shuzhuan.policy import facts
from shuzhuan.policy.domain.engine import FRAME_DTYPES, frame_value

N = 150


@pytest.fixture
def population(db):
    from conftest import ensure_reference_data

    from shuzhuan.assessment import demo as assessment_demo
    from shuzhuan.policy.models import Recognition
    from shuzhuan.registry import demo as registry_demo
    from shuzhuan.registry.models import Enterprise

    ensure_reference_data()
    registry_demo.build_demo_registry(N, seed=5)
    assessment_demo.generate_assessments(seed=5)
    uscc = list(Enterprise.objects.values_list("organisation__uscc", flat=True))
    rng = random.Random(5)
    for ent in Enterprise.objects.select_related("organisation").order_by("pk")[:60]:
        for _ in range(rng.randint(0, 2)):
            Recognition.objects.create(organisation=ent.organisation, kind=rng.choice(["demo_workshop", "demo_factory"]),
                                       year=rng.choice([2023, 2024]),
                                       award=rng.choice([None, "800000.00", "1234567.89"]))
    return uscc


def _keys() -> list[str]:
    from shuzhuan.registry.models import EnterpriseYear

    years = sorted(set(EnterpriseYear.objects.values_list("year", flat=True)))
    keys = []
    for name, definition in facts.definitions().items():
        if not definition.from_records:
            continue
        keys += [f"{name}[{y}]" for y in (*years, 1990)] if definition.spec.by_year else [name]
    return keys


def test_registered_facts(db) -> None:
    owners = {d.owner for d in facts.definitions().values() if d.from_records}
    assert {"registry", "assessment"} <= owners
    assert facts.catalog()["official_level"].type == "int"
    assert facts.catalog()["revenue"].by_year


def test_batch_equals_single(population) -> None:
    keys = _keys()
    frame = facts.load_batch(keys)
    assert frame.height == len(population)
    rows = {row["subject"]: row for row in frame.iter_rows(named=True)}
    sample = random.Random(3).sample(population, 30) + population[:30]  # the first 60 hold recognitions
    checked = 0
    for uscc in sample:
        single = facts.load_single(uscc, keys)
        for key in keys:
            kind = facts.get(key).spec.type
            assert rows[uscc][key] == frame_value(kind, single[key]), (uscc, key)
            checked += single[key] is not None
    assert frame["workshops_awarded_before"].sum() > 0 and frame["workshop_award_received"].sum() > 0
    assert checked > 40 * 5  # most facts have data: the comparison is not of Nones
    assert frame.select(keys).null_count().row(0)[keys.index("official_level")] < len(population)


def test_batch_for_some_subjects_keeps_their_order(population) -> None:
    some = population[5:9] + ["91442000NOSUCHONE"]
    frame = facts.load_batch(["town", "official_level"], some)
    assert frame["subject"].to_list() == some
    assert frame.row(4) == ("91442000NOSUCHONE", None, None)
    assert frame.schema["official_level"] == FRAME_DTYPES["int"]


def test_policy_test_command(db) -> None:
    out = io.StringIO()
    call_command("policy_test", stdout=out)
    assert "0 个失败" in out.getvalue()


def test_policy_test_command_fails_on_a_wrong_case(db, tmp_path) -> None:
    from shuzhuan.policy import library

    text = (library.DATA_DIR / "zs-retrofit.yaml").read_text(encoding="utf-8").replace('amount: "66.66"', 'amount: "66.67"')
    bad = tmp_path / "zs-retrofit.yaml"
    bad.write_text(text, encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("policy_test", str(bad), stdout=out)
    assert "amount: expected 66.67, got 66.66" in out.getvalue()
