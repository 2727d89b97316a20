"""Needs, recommendations, contact requests (对接), the funnel, consortia and chain leaders (under /market/)."""

from django.urls import path

from shuzhuan.marketplace.views import match as v

urlpatterns = [
    path("needs/", v.need_list, name="need_list"),
    path("needs/new/", v.need_create, name="need_create"),
    path("needs/suggest/", v.need_suggest, name="need_suggest"),
    path("needs/derive/", v.need_derive, name="need_derive"),
    path("needs/<int:need_id>/", v.need_detail, name="need_detail"),
    path("needs/<int:need_id>/close/", v.need_close, name="need_close"),
    path("recommendations/", v.my_recommendations, name="my_recommendations"),
    path("recommendations/<str:uscc>/", v.recommendations, name="recommendations"),
    path("contacts/", v.contact_list, name="contact_list"),
    path("contacts/new/", v.contact_create, name="contact_create"),
    path("contacts/<int:contact_id>/", v.contact_detail, name="contact_detail"),
    path("funnel/", v.funnel, name="funnel"),
    path("funnel/export/", v.funnel_export, name="funnel_export"),
    path("consortia/", v.consortium_list, name="consortium_list"),
    path("consortia/new/", v.consortium_create, name="consortium_create"),
    path("consortia/<int:consortium_id>/", v.consortium_detail, name="consortium_detail"),
    path("consortia/<int:consortium_id>/edit/", v.consortium_edit, name="consortium_edit"),
    path("consortia/<int:consortium_id>/members/", v.consortium_members, name="consortium_members"),
    path("consortia/<int:consortium_id>/catalogue/", v.consortium_catalogue, name="consortium_catalogue"),
    path("chains/", v.chain_list, name="chain_list"),
    path("chains/template/", v.chain_template, name="chain_template"),
    path("chains/<str:uscc>/", v.chain_detail, name="chain_detail"),
    path("chains/<str:uscc>/import/", v.chain_import, name="chain_import"),
]
