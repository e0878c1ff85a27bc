"""`/app/notifications/…`: the member's notification centre and preferences."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("badge/", views.badge, name="badge"),
    path("read-all/", views.read_all, name="read-all"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("<int:pk>/read/", views.mark_one_read, name="read"),
    path("preferences/", views.preferences, name="preferences"),
]
