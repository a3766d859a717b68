from django.urls import path

from openasc.frontdoor import views

app_name = "frontdoor"

urlpatterns = [
    path("waiting", views.waiting, name="waiting"),
    path("team-queue", views.team_queue, name="team-queue"),
    path("people/<int:person_id>/requests/new", views.request_new, name="request-new"),
    path("people/<int:person_id>/allocate", views.allocate, name="allocate"),
    path(
        "people/<int:person_id>/allocations/<int:relationship_id>/end",
        views.allocation_end,
        name="allocation-end",
    ),
    path("requests/<int:request_id>", views.request_detail, name="request"),
    path("requests/<int:request_id>/triage", views.triage, name="triage"),
    path("requests/<int:request_id>/recorded-in-error", views.cancel, name="cancel"),
]
