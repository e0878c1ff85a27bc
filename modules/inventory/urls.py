from django.urls import path

from . import views

urlpatterns = [
    path("", views.item_list, name="item-list"),
    path("new/", views.item_create, name="item-create"),
    path("labels/", views.labels, name="labels"),
    path("lots/", views.lot_list, name="lot-list"),
    path("movements/", views.movement_list, name="movement-list"),
    path("locations/", views.locations, name="locations"),
    path("locations/branch/<int:pk>/", views.branch_edit, name="branch-edit"),
    path("locations/<int:pk>/", views.location_edit, name="location-edit"),
    path("<int:pk>/", views.item_detail, name="item-detail"),
    path("<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("<int:pk>/delete/", views.item_delete, name="item-delete"),
    path("<int:pk>/receive/", views.item_receive, name="item-receive"),
    path("<int:pk>/adjust/", views.item_adjust, name="item-adjust"),
    path("<int:pk>/transfer/", views.item_transfer, name="item-transfer"),
    path("<int:pk>/label/", views.item_label, name="item-label"),
]
