from django.urls import path

from shuzhuan.programs import views
from shuzhuan.programs.views import dashboard as views_dashboard
from shuzhuan.programs.views import pool as views_pool

urlpatterns = [
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:project_id>/", views.project_detail, name="project"),
    path("projects/<int:project_id>/act/", views.project_act, name="project_act"),
    path("projects/<int:project_id>/contract/", views.project_contract, name="project_contract"),
    path("projects/<int:project_id>/items/", views.project_items, name="project_items"),
    path("projects/<int:project_id>/milestones/", views.project_milestones, name="project_milestones"),
    path("projects/<int:project_id>/documents/", views.project_upload, name="project_upload"),
    path("projects/<int:project_id>/documents/<int:document_id>/", views.project_document, name="project_document"),
    path("projects/<int:project_id>/expert/", views.project_expert, name="project_expert"),
    path("projects/<int:project_id>/review/", views.project_review, name="project_review"),
    path("projects/<int:project_id>/rate/", views.project_rate, name="project_rate"),
    path("projects/<int:project_id>/archive.zip", views.project_archive, name="project_archive"),
    path("pool/", views_pool.pool, name="pool"),
    path("pool/propose/", views_pool.pool_propose, name="pool_propose"),
    path("pool/review/", views_pool.pool_review, name="pool_review"),
    path("pilots/", views_pool.pilots, name="pilots"),
    path("apply/", views_pool.apply, name="apply"),
    path("dashboard/", views_dashboard.programme_dashboard, name="dashboard"),
    path("dashboard/export.xlsx", views_dashboard.dashboard_export, name="dashboard_export"),
    path("batches/", views_dashboard.batch_list, name="batches"),
    path("batches/build/", views_dashboard.batch_build, name="batch_build"),
    path("batches/<int:batch_id>/", views_dashboard.batch_detail, name="batch"),
    path("batches/<int:batch_id>/advance/", views_dashboard.batch_advance, name="batch_advance"),
    path("batches/<int:batch_id>/remove/", views_dashboard.batch_remove, name="batch_remove"),
    path("batches/<int:batch_id>/export.xlsx", views_dashboard.batch_export, name="batch_export"),
]
