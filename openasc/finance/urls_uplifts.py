"""/finance/uplifts/: rate uplifts (openasc.finance.uplifts)."""

from django.urls import path

from openasc.finance.uplifts import views

urlpatterns: list = [
    path("uplifts/", views.uplifts, name="uplifts"),
    path("uplifts/new/", views.uplift_new, name="uplift-new"),
    path("uplifts/<int:uplift_id>/", views.uplift_detail, name="uplift"),
    path("uplifts/<int:uplift_id>/apply/", views.uplift_apply, name="uplift-apply"),
    path("uplifts/<int:uplift_id>/services/", views.uplift_services, name="uplift-services"),
]
