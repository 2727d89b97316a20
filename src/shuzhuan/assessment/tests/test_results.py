from shuzhuan.assessment.models import Assessment, Source, Status
from shuzhuan.assessment.results import official_assessments


def make(ent, source, status, on, level):
    return Assessment.objects.create(enterprise=ent, source=source, status=status, assessed_on=on, level=level)


def test_official_result_prefers_signed_onsite_then_newest(world):
    a, b = world.enterprises["a"], world.enterprises["b"]
    make(a, Source.SELF, Status.SUBMITTED, "2024-05-01", 1)
    onsite = make(a, Source.ONSITE, Status.SIGNED, "2024-06-01", 2)
    make(a, Source.SELF, Status.SUBMITTED, "2024-07-01", 3)  # newer self-assessment: not official
    make(a, Source.ONSITE, Status.DRAFT, "2024-08-01", 4)  # unsigned: not official
    make(b, Source.SELF, Status.SUBMITTED, "2023-01-01", 1)
    newest_b = make(b, Source.IMPORT, Status.SUBMITTED, "2024-01-01", 2)
    make(b, Source.SELF, Status.DRAFT, "2025-01-01", 3)
    assert set(official_assessments()) == {onsite, newest_b}


def test_official_flag_matches_the_rule_after_refresh(world):
    from shuzhuan.assessment.results import refresh_official

    a, b = world.enterprises["a"], world.enterprises["b"]
    make(a, Source.SELF, Status.SUBMITTED, "2024-05-01", 1)
    onsite = make(a, Source.ONSITE, Status.SIGNED, "2024-06-01", 2)
    newest_b = make(b, Source.IMPORT, Status.SUBMITTED, "2024-01-01", 2)
    assert refresh_official() == 2
    assert set(Assessment.objects.filter(is_official=True)) == set(official_assessments()) == {onsite, newest_b}
    later = make(b, Source.ONSITE, Status.SIGNED, "2024-02-01", 3)  # b gets an on-site rating: it takes over
    refresh_official([b.pk])
    assert set(Assessment.objects.filter(is_official=True)) == {onsite, later}


def test_submitting_and_signing_keep_the_flag(world):
    """Through the services: the flag follows submit, then the signed on-site rating."""
    from shuzhuan.assessment import services
    from shuzhuan.assessment.tests.sheets import full_answers, scenarios

    ent = world.enterprises["a"]
    draft = services.start_self_assessment(world.users["ent_a"], ent, "baseline")
    services.save_draft(world.users["ent_a"], draft, answers=full_answers(), figures={},
                        scenarios=scenarios(**{f"S{i:02d}": 2 for i in range(1, 17)}))
    services.submit(world.users["ent_a"], draft, pledge=True)
    assert list(Assessment.objects.filter(is_official=True)) == [draft]
    assignment = services.assign_rater(world.users["city"], draft, organisation=world.orgs["provider_a"])
    onsite = services.start_onsite(world.users["provider_a"], assignment)
    services.sign(world.users["provider_a"], onsite)
    assert list(Assessment.objects.filter(is_official=True)) == [onsite]
