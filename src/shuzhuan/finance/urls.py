from django.urls import path

from shuzhuan.finance import views, views_claims, views_import

app_name = "finance"
urlpatterns = [
    path("products/", views.product_list, name="products"),
    path("products/<int:product_id>/", views.product_detail, name="product"),
    path("bank/products/", views.my_products, name="my_products"),
    path("bank/products/new/", views.product_edit, name="product_new"),
    path("bank/products/<int:product_id>/edit/", views.product_edit, name="product_edit"),
    path("filings/", views.filing_list, name="filings"),
    path("filings/new/", views.filing_create, name="filing_new"),
    path("filings/<int:filing_id>/", views.filing_detail, name="filing"),
    path("filings/<int:filing_id>/<str:action>/", views.filing_review, name="filing_review"),
    path("loans/", views.loan_list, name="loans"),
    path("guarantee/", views.guarantee_pools, name="guarantee"),
    path("statistics/", views_claims.statistics_page, name="statistics"),
    path("statistics/export.xlsx", views_claims.statistics_export, name="statistics_export"),
    path("interest-claims/", views_claims.claim_list, name="interest_claims"),
    path("interest-claims/run/", views_claims.claim_run, name="interest_claims_run"),
    path("interest-claims/budget/", views_claims.budget_fund, name="interest_budget"),
    path("interest-claims/<int:interest_claim_id>/pay/", views_claims.claim_pay, name="interest_claim_pay"),
    path("loans/<int:loan_id>/", views.loan_detail, name="loan"),
    path("loans/import/", views_import.import_upload, name="import"),
    path("loans/import/template.xlsx", views_import.import_template, name="import_template"),
    path("loans/import/<uuid:repayments_check_id>/", views_import.import_preview, name="import_preview"),
    path("loans/import/<uuid:repayments_check_id>/annotated.xlsx", views_import.import_annotated, name="import_annotated"),
    path("loans/import/<uuid:repayments_check_id>/confirm/", views_import.import_confirm, name="import_confirm"),
    path("loans/import/runs/<uuid:repayments_run_id>/", views_import.import_result, name="import_result"),
]
