from django.contrib import admin
from django.urls import include, path

from shuzhuan.api.api import api
from shuzhuan.core import views as core_views

urlpatterns = [
    path("admin/login/", core_views.admin_login),  # one throttled login for everyone
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("enterprises/", include("shuzhuan.registry.urls")),
    path("assessment/", include("shuzhuan.assessment.urls")),
    path("market/", include("shuzhuan.marketplace.urls")),
    path("programs/", include("shuzhuan.programs.urls")),
    path("funds/", include("shuzhuan.funds.urls")),
    path("", include("shuzhuan.core.urls")),
]

handler403 = "shuzhuan.core.views.forbidden"
handler404 = "shuzhuan.core.views.not_found"
handler500 = "shuzhuan.core.views.server_error"
