from django.shortcuts import redirect
from django.urls import include, path

from openasc.config.api import api

urlpatterns = [
    path("", lambda request: redirect("people:search"), name="home"),
    path("", include("openasc.core.urls")),
    path("people/", include("openasc.people.urls")),
    path("front-door/", include("openasc.frontdoor.urls")),
    path("assessments/", include("openasc.assessments.urls")),
    path("plans/", include("openasc.planning.urls")),
    path("services/", include("openasc.services.urls")),
    path("notes/", include("openasc.casenotes.urls")),
    path("my/", include("openasc.workspace.urls")),
    path("returns/", include("openasc.reporting.returns_urls")),
    path("reporting/", include("openasc.reporting.urls")),
    path("staff/", include("openasc.staff.urls")),
    path("jobs/", include("openasc.jobs.urls")),
    path("api/", api.urls),
]
