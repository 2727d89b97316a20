from django.urls import path

from shuzhuan.credit import views

app_name = "credit"
urlpatterns = [
    path("consents/", views.consents, name="consents"),
    path("consents/revoke/", views.consent_revoke, name="consent_revoke"),
    path("access-log/", views.access_log, name="access_log"),
    path("models/", views.model_card, name="model_card"),
    path("portraits/", views.portraits, name="portraits"),
    path("portraits/<str:uscc>/", views.portrait, name="portrait"),
]
