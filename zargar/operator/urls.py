from django.urls import include, path

from . import views

app_name = "operator"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("shops/", views.tenants, name="tenants"),
    path("shops/new/", views.shop_create, name="shop-create"),
    path("shops/<int:pk>/", views.shop_detail, name="shop"),
    path("shops/<int:pk>/lifecycle/", views.shop_lifecycle, name="shop-lifecycle"),
    path("shops/<int:pk>/members/<int:membership_id>/role/", views.member_role, name="member-role"),
    path("shops/<int:pk>/members/<int:membership_id>/password-reset/", views.member_password_reset, name="member-password-reset"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit-export"),
    path("flags/", include("zargar.flags.operator_urls")),
]
