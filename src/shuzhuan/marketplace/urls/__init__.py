from django.urls import include, path

app_name = "marketplace"
urlpatterns = [
    path("", include("shuzhuan.marketplace.urls_pool")),  # providers, admission, offerings, public catalogue
    path("", include("shuzhuan.marketplace.urls_match")),  # needs, recommendations, contact, consortia, chains
]
