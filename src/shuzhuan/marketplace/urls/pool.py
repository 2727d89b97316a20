"""Supply resource pool routes (under /market/, namespace "marketplace")."""

from django.urls import path

from shuzhuan.marketplace.views import pool as v

urlpatterns = [
    # public catalogue (anonymous)
    path("catalogue/", v.catalogue, name="catalogue"),
    path("solutions/", v.solution_list, name="solutions"),
    path("products/", v.product_list, name="products"),
    path("providers/", v.provider_list, name="providers"),
    path("providers/<str:provider_uscc>/", v.provider_detail, name="provider_detail"),
    path("providers/<str:provider_uscc>/sanction/", v.provider_sanction, name="provider_sanction"),
    path("offerings/<int:offering_id>/", v.offering_detail, name="offering_detail"),
    path("offerings/<int:offering_id>/edit/", v.offering_edit, name="offering_edit"),
    path("offerings/<int:offering_id>/submit/", v.offering_submit, name="offering_submit"),
    path("offerings/<int:offering_id>/withdraw/", v.offering_withdraw, name="offering_withdraw"),
    path("offerings/<int:offering_id>/review/", v.offering_review, name="offering_review"),
    path("notice/", v.notice, name="notice"),
    path("notice/<int:application_id>/objection/", v.notice_objection, name="notice_objection"),
    # provider self-service
    path("provider/", v.provider_home, name="provider_home"),
    path("provider/profile/", v.provider_profile, name="provider_profile"),
    path("provider/application/", v.provider_application, name="provider_application"),
    path("provider/application/start/", v.provider_application_start, name="provider_application_start"),
    path("provider/application/documents/", v.provider_document_upload, name="provider_document_upload"),
    path("provider/application/submit/", v.provider_application_submit, name="provider_application_submit"),
    path("provider/offerings/new/", v.offering_create, name="offering_create"),
    # city and experts
    path("pool/overview/", v.pool_overview, name="pool_overview"),
    path("pool/applications/", v.application_list, name="applications"),
    path("pool/offerings/", v.offering_queue, name="offering_queue"),
    path("pool/reviews/", v.expert_reviews, name="expert_reviews"),
    path("pool/applications/<int:application_id>/", v.application_detail, name="application_detail"),
    path("pool/applications/<int:application_id>/assign/", v.application_assign, name="application_assign"),
    path("pool/applications/<int:application_id>/review/", v.application_review, name="application_review"),
    path("pool/applications/<int:application_id>/decide/", v.application_decide, name="application_decide"),
    path("pool/applications/<int:application_id>/resolve/", v.application_resolve, name="application_resolve"),
    path("pool/applications/<int:application_id>/admit/", v.application_admit, name="application_admit"),
    path("pool/applications/<int:application_id>/withdraw/", v.application_withdraw, name="application_withdraw"),
    path("pool/applications/<int:application_id>/documents/<int:pool_document_id>/", v.document_download,
         name="document_download"),
    path("pool/applications/<int:application_id>/documents/<int:pool_document_id>/delete/", v.document_delete,
         name="document_delete"),
]
