from django.urls import path

from openasc.casenotes import views

app_name = "casenotes"

urlpatterns = [
    path("people/<int:person_id>", views.person, name="person"),
    path("people/<int:person_id>/new", views.create, name="create"),
    path("<int:note_id>", views.detail, name="detail"),
    path("<int:note_id>/edit", views.edit, name="edit"),
    path("<int:note_id>/addendum", views.addendum, name="addendum"),
]
