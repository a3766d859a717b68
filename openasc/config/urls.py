from django.urls import include, path

from openasc.config.api import api
from openasc.core import apidocs
from openasc.worktray import views as worktray_views

urlpatterns = [
    path("", worktray_views.worktray, name="home"),  # every role's home page is its worktray
    path("", include("openasc.core.urls")),
    path("people/", include("openasc.people.urls")),
    path("front-door/", include("openasc.frontdoor.urls")),
    path("assessments/", include("openasc.assessments.urls")),
    path("plans/", include("openasc.planning.urls")),
    path("services/", include("openasc.services.urls")),
    path("notes/", include("openasc.casenotes.urls")),
    path("documents/", include("openasc.documents.urls")),
    path("capacity/", include("openasc.capacity.urls")),
    path("safeguarding/", include("openasc.safeguarding.urls")),
    path("finance/", include("openasc.finance.urls")),
    path("payments/", include("openasc.payments.urls")),
    path("my/", include("openasc.workspace.urls")),
    path("worktray/", include("openasc.worktray.urls")),
    path("returns/", include("openasc.reporting.returns_urls")),
    path("reporting/", include("openasc.reporting.urls")),
    path("staff/", include("openasc.staff.urls")),
    path("jobs/", include("openasc.jobs.urls")),
    path("api/docs", apidocs.view, name="api-docs"),
    path("api/", api.urls),
]
