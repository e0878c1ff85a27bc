"""The link of an invitation email, mounted at /invitations/."""

from django.urls import path

from . import views

app_name = "invitations"

urlpatterns = [
    path("<slug:tenant_slug>/<str:token>/", views.invitation_accept, name="accept"),
]
