from django.urls import path

from . import views

urlpatterns = [
    path("", views.journal, name="index"),
    path("journal/", views.journal, name="journal"),
    path("journal/new/", views.journal_new, name="journal-new"),
    path("journal/<uuid:uuid>/", views.journal_detail, name="journal-detail"),
    path("chart/", views.chart, name="chart"),
    path("balance-sheet/", views.balance_sheet, name="balance-sheet"),
    path("income-statement/", views.income_statement, name="income-statement"),
]
