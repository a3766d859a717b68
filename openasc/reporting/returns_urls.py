from django.urls import path

from openasc.reporting import returns_views

app_name = "returns"

urlpatterns = [
    path("ascof", returns_views.ascof, name="ascof"),
    path("ascof/<str:measure>", returns_views.ascof_detail, name="ascof-detail"),
    path("population", returns_views.population_page, name="population"),
    path("salt", returns_views.salt, name="salt"),
    path("salt/<str:table>", returns_views.salt_table, name="salt-table"),
    path("salt/<str:table>/people", returns_views.salt_detail, name="salt-detail"),
]
