from django.urls import path

from . import operator_views as views

app_name = "billing_operator"

urlpatterns = [
    path("plans/", views.plans, name="plans"),
    path("plans/<slug:code>/", views.plan_detail, name="plan"),
    path("shops/<slug:slug>/billing/", views.shop_billing, name="shop"),
    path("shops/<slug:slug>/billing/<str:action>/", views.shop_action, name="shop_action"),
]
