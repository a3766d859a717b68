from django.urls import path

from openasc.documents import views

app_name = "documents"

urlpatterns = [
    path("people/<int:person_id>", views.person, name="person"),
    path("people/<int:person_id>/letter", views.choose_letter, name="letter-choose"),
    path("people/<int:person_id>/letter/write", views.write_letter, name="letter-write"),
    path("people/<int:person_id>/add", views.attach, name="attach"),
    path("<int:document_id>", views.detail, name="detail"),
    path("<int:document_id>/pdf", views.letter_pdf, name="pdf"),
    path("<int:document_id>/download", views.download, name="download"),
    path("<int:document_id>/change", views.revise, name="revise"),
    path("print/<str:kind>/<int:object_id>", views.printable, name="print"),
    path("print/<str:kind>/<int:object_id>/pdf", views.printable_pdf, name="print-pdf"),
    path("templates", views.templates, name="templates"),
    path("templates/new", views.template_edit, name="template-add"),
    path("templates/<int:template_id>", views.template_edit, name="template-edit"),
]
