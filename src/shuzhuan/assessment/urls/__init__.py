from django.urls import include, path

app_name = "assessment"
urlpatterns = [
    path("", include("shuzhuan.assessment.urls.sheets")),  # questionnaire, on-site rating, history
    path("", include("shuzhuan.assessment.urls.reports")),  # diagnosis reports, statistics, bulk import
]
