from django.urls import path

from . import views

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.rate_create, name="rate-create"),
    path("history/", views.history, name="history"),
    path("<int:pk>/", views.rate_detail, name="rate-detail"),
    path("alerts/", views.alert_list, name="alert-list"),
    path("alerts/<int:pk>/toggle/", views.alert_toggle, name="alert-toggle"),
    path("alerts/<int:pk>/delete/", views.alert_delete, name="alert-delete"),
    path("quotes/new/", views.quote_new, name="quote-new"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote-detail"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/fetch/", views.fetch_now, name="fetch-now"),
]
