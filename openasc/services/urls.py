from django.urls import path

from openasc.providers import views as provider_views
from openasc.services import views

app_name = "services"

urlpatterns = [
    path("people/<int:person_id>/new", views.create, name="create"),
    path("<int:service_id>", views.detail, name="detail"),
    path("<int:service_id>/cost", views.cost_change, name="cost-change"),
    path("<int:service_id>/end", views.end, name="end"),
    # The provider register lives with services until it has its own URL prefix.
    path("providers", provider_views.register, name="providers"),
    path("providers/new", provider_views.provider_add, name="provider-add"),
    path("providers/<int:provider_id>/locations/new", provider_views.location_add, name="location-add"),
]
