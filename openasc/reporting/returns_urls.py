from django.urls import path

from openasc.reporting import returns_views

app_name = "returns"

urlpatterns = [
    path("ascof", returns_views.ascof, name="ascof"),
    path("ascof/<str:measure>", returns_views.ascof_detail, name="ascof-detail"),
]
