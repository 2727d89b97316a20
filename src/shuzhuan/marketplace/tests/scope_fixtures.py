"""Side b's pool records for the scope test: a provider located in town b that is still applying
(not public), its application under expert review with one private document, and its draft
offering. Town b's officer reaches each (town officers see the providers located in their town);
anonymous users, town a, other providers, banks, enterprises and an unassigned expert do not."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from shuzhuan.core import jobs
from shuzhuan.core.models import Organisation, OrganisationKind
from shuzhuan.marketplace.models import (
    ApplicationDocument,
    ApplicationStatus,
    Offering,
    OfferingKind,
    OfferingStatus,
    PoolApplication,
    PoolStatus,
    ProductType,
    ProviderProfile,
)
from shuzhuan.registry.domain import make_uscc


def applying_provider(world, name: str = "小榄数智服务商丙", code: str = "MA4W0009") -> ProviderProfile:
    org = Organisation.objects.create(uscc=make_uscc("442000", code), name=name, kind=OrganisationKind.PROVIDER)
    return ProviderProfile.objects.create(organisation=org, town=world.towns["b"], pool_status=PoolStatus.APPLICANT,
                                          introduction="小榄本地的工业软件服务商", contact_name="李工", contact_phone="0760-22220000")


def side_b_values_pool(world) -> dict[str, str]:
    profile = applying_provider(world)
    application = PoolApplication.objects.create(provider=profile, status=ApplicationStatus.IN_REVIEW,
                                                 qualifications="软件企业", cases="五金厂 MES", staff="12 人",
                                                 submitted_at=timezone.now())
    path = "pool/side-b/licence.pdf"
    jobs.private_path(path).write_bytes(b"%PDF-1.4 side b")
    document = ApplicationDocument.objects.create(application=application, kind="licence", path=path, name="营业执照.pdf",
                                                  size=15)
    offering = Offering.objects.create(provider=profile, kind=OfferingKind.PRODUCT, product_type=ProductType.MANUFACTURING,
                                       name="小榄五金质量追溯（草稿）", summary="草稿，未公开", scenarios=["S07"],
                                       price_min=Decimal("30000.00"), price_max=Decimal("60000.00"),
                                       status=OfferingStatus.DRAFT)
    return {"provider_uscc": profile.organisation.uscc, "application_id": application.pk,
            "pool_document_id": document.pk, "offering_id": offering.pk}
