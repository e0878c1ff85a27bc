from django.urls import path

from . import views

urlpatterns = [
    path("", views.customer_list, name="customer-list"),
    path("new/", views.customer_create, name="customer-create"),
    path("<int:pk>/", views.customer_detail, name="customer-detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer-edit"),
    path("<int:pk>/credit/issue/", views.credit_issue, name="credit-issue"),
    path("<int:pk>/credit/adjust/", views.credit_adjust, name="credit-adjust"),
]
