from django.urls import path

from shuzhuan.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("import/", views.import_placeholder, name="import"),
    path("<str:uscc>/", views.enterprise_detail, name="detail"),
]
