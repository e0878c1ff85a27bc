"""Help links and search, mounted at /help/ before Wagtail's page serving (so no knowledge-base
page can use the top-level slugs `search` or `for`)."""

from django.urls import path

from . import views

app_name = "help"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("for/<slug:slug>/", views.help_for, name="for"),
]
