from django.urls import path

from shuzhuan.finance import views

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
]
