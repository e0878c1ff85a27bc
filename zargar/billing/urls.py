from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("change/", views.change, name="change"),
    path("cancel/", views.cancel, name="cancel"),
    path("checkout/", views.checkout, name="checkout"),
    path("portal/", views.portal, name="portal"),
    path("invoices/<int:pk>.pdf", views.invoice_pdf, name="invoice_pdf"),
]
