from django.urls import path

from shuzhuan.funds import views

app_name = "funds"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("allocate/", views.allocate, name="allocate"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export/", views.ledger_export, name="ledger_export"),
    path("reconcile/", views.reconcile, name="reconcile"),
]
