from django.urls import path

from shuzhuan.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.policy_library, name="library"),
]
