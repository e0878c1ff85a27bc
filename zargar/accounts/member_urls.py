"""Shop members and invitations, mounted at /app/members/ (owners and admins)."""

from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("invite/", views.member_invite, name="invite"),
    path("<int:pk>/role/", views.member_change_role, name="change-role"),
    path("<int:pk>/remove/", views.member_remove, name="remove"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="revoke-invitation"),
]
