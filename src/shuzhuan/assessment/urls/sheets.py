"""Questionnaire, results, rater assignment and on-site rating (namespace "assessment")."""

from django.urls import path

from shuzhuan.assessment.views import sheets as views

urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("tasks/", views.tasks, name="tasks"),
    path("<int:assessment_id>/", views.detail, name="detail"),
    path("<int:assessment_id>/fill/", views.resume, name="resume"),
    path("<int:assessment_id>/fill/<int:step>/", views.fill, name="fill"),
    path("<int:assessment_id>/fill/<int:step>/subtotal/", views.subtotal, name="subtotal"),
    path("<int:assessment_id>/submit/", views.submit, name="submit"),
    path("<int:assessment_id>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
    path("<int:assessment_id>/assign/", views.assign, name="assign"),
    path("<int:assessment_id>/onsite/", views.onsite_start, name="onsite_start"),
    path("<int:assessment_id>/rate/", views.rate, name="rate"),
    path("<int:assessment_id>/sign/", views.sign, name="sign"),
]
