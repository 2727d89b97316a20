from django.urls import path

from shuzhuan.policy import views, views_runs, views_showcase, views_whatif

app_name = "policy"
urlpatterns = [
    path("", views.policy_library, name="library"),
    path("runs/", views_runs.run_list, name="runs"),
    path("runs/<int:policy_run_id>/", views_runs.run_detail, name="run"),
    path("runs/<int:policy_run_id>/offer/", views_runs.run_offer, name="run_offer"),
    path("runs/<int:policy_run_id>/approve/", views_runs.run_approve, name="run_approve"),
    path("runs/<int:policy_run_id>/pay/", views_runs.run_pay, name="run_pay"),
    path("entitlements/<int:entitlement_id>/exclude/", views_runs.entitlement_exclude, name="exclude"),
    path("entitlements/<int:entitlement_id>/approve/", views_runs.entitlement_approve, name="approve"),
    path("entitlements/<int:entitlement_id>/confirm/", views_runs.entitlement_confirm, name="confirm"),
    path("mine/", views_runs.mine, name="mine"),
    path("showcase/", views_showcase.showcase, name="showcase"),
    path("whatif/", views_whatif.whatif_list, name="whatif"),
    path("whatif/new/", views_whatif.whatif_new, name="whatif_new"),
    path("whatif/<int:reform_id>/", views_whatif.whatif_detail, name="whatif_detail"),
    path("whatif/<int:reform_id>/xlsx/", views_whatif.whatif_xlsx, name="whatif_xlsx"),
    path("whatif/<int:reform_id>/publish/", views_whatif.whatif_publish, name="whatif_publish"),
    path("recognitions/", views_showcase.recognitions, name="recognitions"),
    path("calculator/", views_runs.calculator, name="calculator"),
]
