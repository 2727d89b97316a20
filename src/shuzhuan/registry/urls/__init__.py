from django.urls import include, path

from shuzhuan.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("export.xlsx", views.enterprise_export, name="export"),
    path("mine/", views.mine, name="mine"),
    path("import/", include("shuzhuan.registry.urls.importing")),
    path("<str:uscc>/", views.enterprise_detail, name="detail"),
    path("<str:uscc>/edit/", views.enterprise_edit, name="edit"),
    path("<str:uscc>/years/", views.enterprise_year, name="year"),
]
