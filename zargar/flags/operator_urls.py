from django.urls import path

from . import operator_views as views

app_name = "flags"

urlpatterns = [
    path("", views.flag_list, name="list"),
    path("new/", views.flag_create, name="create"),
    path("history/", views.flag_history, name="history"),
    path("<str:name>/", views.flag_detail, name="detail"),
    path("<str:name>/switch/", views.flag_switch, name="switch"),
]
