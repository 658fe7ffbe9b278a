"""URLs outside the page tree: the progress API and My learning (both in the DESIGN contract), and recording
attendance (managers)."""

from django.urls import path

from lms.views import api, attendance, learner

app_name = "lms"

urlpatterns = [
    path("api/progress/", api.progress_heartbeat, name="progress"),
    path("my-learning/", learner.my_learning, name="my_learning"),
    # Managers record attendance (lms.views.attendance); under /reports/ beside the reports it feeds.
    path("reports/attendance/", attendance.attendance_start, name="attendance"),
    path("reports/attendance/teams-report/", attendance.attendance_upload, name="attendance_upload"),
    path("reports/attendance/group-screening/", attendance.attendance_screening, name="attendance_screening"),
    path("reports/attendance/check/<str:token>/", attendance.attendance_check, name="attendance_check"),
]
