from django.contrib import admin
from django.urls import include, path

from shuzhuan.core import views as core_views

urlpatterns = [
    path("admin/login/", core_views.admin_login),  # one throttled login for everyone
    path("admin/", admin.site.urls),
    path("api/", include("shuzhuan.api.urls")),  # /api/v1/, and JSON 404/405 for anything else under /api/
    path("enterprises/", include("shuzhuan.registry.urls")),
    path("assessment/", include("shuzhuan.assessment.urls")),
    path("market/", include("shuzhuan.marketplace.urls")),
    path("programs/", include("shuzhuan.programs.urls")),
    path("funds/", include("shuzhuan.funds.urls")),
    path("policy/", include("shuzhuan.policy.urls")),
    path("finance/", include("shuzhuan.finance.urls")),
    path("credit/", include("shuzhuan.credit.urls")),
    path("", include("shuzhuan.core.urls")),
]

handler403 = "shuzhuan.core.views.forbidden"
handler404 = "shuzhuan.core.views.not_found"
handler500 = "shuzhuan.core.views.server_error"
