from django.urls import path

from . import views

urlpatterns = [
    path("", views.item_list, name="item-list"),
    path("new/", views.item_create, name="item-create"),
    path("<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("<int:pk>/delete/", views.item_delete, name="item-delete"),
]
