from django.shortcuts import redirect
from django.urls import include, path

from openasc.config.api import api

urlpatterns = [
    path("", lambda request: redirect("people:search"), name="home"),
    path("", include("openasc.core.urls")),
    path("people/", include("openasc.people.urls")),
    path("api/", api.urls),
]
