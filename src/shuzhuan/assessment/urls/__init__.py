from django.urls import include, path

app_name = "assessment"
urlpatterns = [
    path("", include("shuzhuan.assessment.urls_sheets")),  # questionnaire, on-site rating, history
    path("", include("shuzhuan.assessment.urls_reports")),  # diagnosis reports, statistics, bulk import
]
