"""Assignments: an item or series that an audience must complete by a date."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .organisation import District, Jobcentre, JobcentreGroup, JobRole, ScopeLevel


class Assignment(models.Model):
    """Everyone in the audience (national, a group, a district or a jobcentre; optionally one job role) must
    complete ``item`` by ``due_on``. Who is in the audience is worked out when asked, so staff who move site
    pick up the assignments of their new site."""

    item = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="A module, series, human library film or webinar.",
    )
    level = models.CharField("audience", max_length=16, choices=ScopeLevel.choices)
    group = models.ForeignKey(JobcentreGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    district = models.ForeignKey(District, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    jobcentre = models.ForeignKey(Jobcentre, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    job_role = models.CharField(
        max_length=32, choices=JobRole.choices, blank=True, help_text="Leave empty to assign it to every job role."
    )
    due_on = models.DateField("due date")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(
                name="assignment_audience_matches_level",
                condition=(
                    Q(level="site", jobcentre__isnull=False, district__isnull=True, group__isnull=True)
                    | Q(level="district", jobcentre__isnull=True, district__isnull=False, group__isnull=True)
                    | Q(level="group", jobcentre__isnull=True, district__isnull=True, group__isnull=False)
                    | Q(level="national", jobcentre__isnull=True, district__isnull=True, group__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        unit = self.jobcentre or self.district or self.group or "everyone"
        role = f" ({self.get_job_role_display()})" if self.job_role else ""
        return f"{self.item} for {unit}{role}, due {self.due_on:%-d %B %Y}"
