from django.urls import path

from . import views

app_name = "panel"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("switch/<slug:slug>/", views.switch_tenant, name="switch-tenant"),
    path("theme/", views.set_theme, name="set-theme"),
    path("language/", views.set_language, name="set-language"),
    path("shops/new/", views.create_shop, name="create-shop"),
]
