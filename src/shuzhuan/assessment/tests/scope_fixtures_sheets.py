"""Side b's records for the scope test's URL parameters of the questionnaire and on-site rating pages:
a submitted self-assessment of enterprise b (assigned to provider b) with a supporting document."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from shuzhuan.assessment import services
from shuzhuan.assessment.models import RaterAssignment
from shuzhuan.assessment.tests.sheets import answers, rated


def side_b_values_sheets(world) -> dict[str, str]:
    from conftest import make_user

    ent_b = world.users.get("ent_b") or make_user("ent_b", "enterprise", organisation=world.enterprises["b"].organisation)
    assessment = services.start_self_assessment(ent_b, world.enterprises["b"], "baseline")
    evidence = services.add_evidence(ent_b, assessment, "F1", SimpleUploadedFile("b.pdf", b"%PDF-1.4 side b"))
    services.save_draft(ent_b, assessment, answers=answers(), figures={}, scenarios=rated(1, 3, 3))
    services.submit(ent_b, assessment, pledge=True)
    # the assignment row itself (provider b need not be in the marketplace's pool for a scope check)
    RaterAssignment.objects.create(enterprise=world.enterprises["b"], assessment=assessment,
                                   rater_organisation=world.orgs["provider_b"], assigned_by=world.users["town_b"])
    return {"assessment_id": str(assessment.pk), "evidence_id": str(evidence.pk), "step": "1"}
