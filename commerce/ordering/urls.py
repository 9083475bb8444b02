"""Back-office pages of ordering (orders queue, order actions, carriers)."""

from django.urls import path

from commerce.ordering import views

app_name = "ordering-backoffice"

ORDER = "<uuid:public_id>/"

urlpatterns = [
    path("", views.order_queue, name="queue"),
    path("export.csv", views.order_export, name="export"),
    path("carriers/", views.carriers, name="carriers"),
    path("carriers/<uuid:public_id>/", views.carrier_edit, name="carrier-edit"),
    path(ORDER, views.order_detail, name="detail"),
    *(
        path(ORDER + f"{action}/", views.order_act, {"action": action}, name=action)
        for action in views.ACTIONS
    ),
]
