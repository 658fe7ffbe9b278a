from django.urls import path

from lms.admin import views

app_name = "lms_admin"

urlpatterns = [
    path("consent-reviews/", views.ConsentReviewReportView.as_view(), name="consent_review"),
    path(
        "consent-reviews/results/",
        views.ConsentReviewReportView.as_view(results_only=True),
        name="consent_review_results",
    ),
    path("pages/<int:page_id>/cannot-approve/", views.publish_blocked, name="publish_blocked"),
]
