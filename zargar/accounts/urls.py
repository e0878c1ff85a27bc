"""Two-factor pages, under /accounts/ next to allauth's."""

from django.urls import path

from . import views

urlpatterns = [
    path("2fa/", views.two_factor_manage, name="two_factor_manage"),
    path("2fa/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("2fa/recovery-codes/", views.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("2fa/disable/", views.two_factor_disable, name="two_factor_disable"),
]
