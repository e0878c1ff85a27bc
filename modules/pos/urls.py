from django.urls import path

from . import views

urlpatterns = [
    path("", views.sale_screen, name="sale-screen"),
    path("sales/", views.sale_list, name="sale-list"),
    path("cart/<int:pk>/", views.cart, name="cart"),
    path("cart/<int:pk>/scan/", views.cart_scan, name="cart-scan"),
    path("cart/<int:pk>/lines/<int:line_pk>/", views.cart_line, name="cart-line"),
    path("cart/<int:pk>/customer/", views.cart_customer, name="cart-customer"),
    path("cart/<int:pk>/hold/", views.cart_hold, name="cart-hold"),
    path("cart/<int:pk>/resume/", views.cart_resume, name="cart-resume"),
    path("cart/<int:pk>/discard/", views.cart_discard, name="cart-discard"),
    path("cart/<int:pk>/complete/", views.cart_complete, name="cart-complete"),
    path("sales/<int:pk>/", views.sale_detail, name="sale-detail"),
    path("sales/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("sales/<int:pk>/receipt.pdf", views.receipt_pdf_view, name="receipt-pdf"),
    path("sales/<int:pk>/return/", views.sale_return, name="sale-return"),
    path("sales/<int:pk>/void/", views.sale_void, name="sale-void"),
    path("sales/<int:pk>/payments/", views.sale_receive_payment, name="sale-receive-payment"),
]
