"""Diagnosis reports, statistics, bulk import and re-scoring; included by assessment/urls.py (namespace "assessment")."""

from django.urls import path

from shuzhuan.assessment.views import reports as views

urlpatterns = [
    path("reports/<int:assessment_id>/", views.report, name="report"),
    path("reports/<int:assessment_id>/report.pdf", views.report_pdf, name="report_pdf"),
    path("reports/<int:assessment_id>/report.docx", views.report_docx, name="report_docx"),
    path("stats/", views.stats, name="stats"),
    path("stats/export.xlsx", views.stats_export, name="stats_export"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<uuid:results_check_id>/", views.import_preview, name="import_preview"),
    path("import/<uuid:results_check_id>/annotated.xlsx", views.import_annotated, name="import_annotated"),
    path("import/<uuid:results_check_id>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/runs/<uuid:results_run_id>/", views.import_result, name="import_result"),
    path("rescore/", views.rescore, name="rescore"),
    path("indicator-sets/", views.indicator_set_list, name="indicator_sets"),
]
