from django.urls import path

from . import views

urlpatterns = [
    path("", views.certificate_list, name="certificate-list"),
    path("new/", views.certificate_issue, name="certificate-issue"),
    path("<int:pk>/", views.certificate_detail, name="certificate-detail"),
]
