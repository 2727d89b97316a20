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
