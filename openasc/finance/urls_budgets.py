"""Budgets and the forecast: /finance/budgets/ (monitoring), the services behind a figure, and the finance officer's
cost centres, budgets and care categories."""

from django.urls import path

from openasc.finance import views

urlpatterns: list = [
    path("budgets/", views.monitoring, name="monitoring"),
    path("budgets/<str:year>/<str:centre>/services/", views.behind, name="behind"),
    path("budgets/<str:year>/<int:centre_id>/budget/", views.budget_edit, name="budget-edit"),
    path("budgets/<str:year>/<int:centre_id>/adjustments/", views.adjustments, name="adjustments"),
    path("cost-centres/", views.centres_page, name="centres"),
    path("cost-centres/new/", views.centre_edit, name="centre-new"),
    path("cost-centres/<int:centre_id>/", views.centre_edit, name="centre-edit"),
    path("categories/", views.categories_page, name="categories"),
    path("categories/<int:category_id>/", views.category_edit, name="category-edit"),
]
