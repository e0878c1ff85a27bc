"""Announcement centre of the tenant panel, mounted at /app/announcements/."""

from django.urls import path

from . import views

app_name = "announcements"

urlpatterns = [
    path("", views.announcement_centre, name="centre"),
    path("<uuid:key>/dismiss/", views.dismiss, name="dismiss"),
    path("<uuid:key>/acknowledge/", views.acknowledge, name="acknowledge"),
]
