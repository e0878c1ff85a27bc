"""`/app/modules/`: the shop's module settings (switch modules on/off, per-shop settings)."""

from django.urls import path

from . import views

app_name = "modules"

urlpatterns = [
    path("", views.module_list, name="list"),
    path("<slug:key>/switch/", views.module_switch, name="switch"),
    path("<slug:key>/settings/", views.module_settings_view, name="settings"),
]
