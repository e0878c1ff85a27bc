"""`/app/api-keys/…`: the shop's API keys in the panel."""

from django.urls import path

from . import panel_views

app_name = "api_keys"

urlpatterns = [
    path("", panel_views.key_list, name="list"),
    path("new/", panel_views.key_create, name="create"),
    path("<int:pk>/revoke/", panel_views.key_revoke, name="revoke"),
    path("<int:pk>/roll/", panel_views.key_roll, name="roll"),
]
