"""Provider payments (docs/payments.md): payment schedules, providers' invoices matched against the services, approval,
payment runs and remittances, credit notes and adjustments, and NHS contributions to services."""

from django.urls import path

from openasc.payments import views

app_name = "payments"
urlpatterns = [
    path("", views.home, name="home"),
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/new/", views.schedule_edit, name="schedule-new"),
    path("schedules/<int:schedule_id>/", views.schedule_edit, name="schedule"),
    path("expected/", views.expected, name="expected"),
    path("expected/<int:provider_id>/", views.expected_provider, name="expected-provider"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/new/", views.invoice_new, name="invoice-new"),
    path("invoices/<int:invoice_id>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:invoice_id>/<str:action>/", views.invoice_action, name="invoice-action"),
    path("call-monitoring/", views.ecm_upload, name="ecm"),
    path("adjustments/new/", views.adjustment_new, name="adjustment-new"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("remittances/<int:payment_id>.<str:fmt>", views.remittance, name="remittance"),
    path("nhs/", views.nhs, name="nhs"),
    path("services/<int:service_id>/", views.service_payments, name="service"),
]
