"""Import pages, included by registry/urls.py under "import/" (namespace "registry").

`check_id` is a validation job (the preview), `run_id` an import job (the result).
"""

from django.urls import path

from shuzhuan.registry.views import importing as views

urlpatterns = [
    path("", views.upload, name="import"),
    path("template.xlsx", views.template, name="import_template"),
    path("<uuid:check_id>/", views.preview, name="import_preview"),
    path("<uuid:check_id>/annotated.xlsx", views.annotated, name="import_annotated"),
    path("<uuid:check_id>/confirm/", views.confirm, name="import_confirm"),
    path("runs/<uuid:run_id>/", views.result, name="import_result"),
]
