from django.urls import path

from openasc.people import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("new", views.create, name="create"),
    path("<int:person_id>", views.detail, name="detail"),
    path("<int:person_id>/edit", views.edit, name="edit"),
    path("<int:person_id>/contacts/new", views.contact_add, name="contact-add"),
    path("<int:person_id>/alerts/new", views.alert_add, name="alert-add"),
    path("<int:person_id>/carers/new", views.carer_add, name="carer-add"),
    path("<int:person_id>/merge", views.merge, name="merge"),
    path("<int:person_id>/access-log", views.access_log, name="access-log"),
]
