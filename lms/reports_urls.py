"""``/reports/``: completion reports for managers, and assignments (editors and national reporting)."""

from django.urls import path

from lms.views import assignments, reports

app_name = "reports"

urlpatterns = [
    path("", reports.report_index, name="index"),
    path("sites/<int:pk>/", reports.report_site, name="site"),
    path("heat-map/", reports.report_heatmap, name="heatmap"),
    path("assignments/", assignments.assignment_list, name="assignments"),
    path("assignments/new/", assignments.assignment_new, name="assignment_new"),
    path("assignments/<int:pk>/delete/", assignments.assignment_remove, name="assignment_delete"),
]
