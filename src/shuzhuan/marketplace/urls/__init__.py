from django.urls import include, path

app_name = "marketplace"
urlpatterns = [
    path("", include("shuzhuan.marketplace.urls.pool")),  # providers, admission, offerings, public catalogue
    path("", include("shuzhuan.marketplace.urls.match")),  # needs, recommendations, contact, consortia, chains
]
