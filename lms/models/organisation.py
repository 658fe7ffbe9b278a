"""The DWP organisation: group (region) → district → jobcentre, staff and the scope managers report on.

Codes are the register's keys, kept as they are so that rows can be matched on re-import.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class OrganisationUnit(models.Model):
    code = models.CharField(max_length=16, unique=True, help_text="The key in the DWP register.")
    name = models.CharField(max_length=200)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True, help_text="False once the register gives an end date.")

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name if self.is_active else f"{self.name} (closed)"


class JobcentreGroup(OrganisationUnit):
    class Meta(OrganisationUnit.Meta):
        verbose_name = "jobcentre group"


class District(OrganisationUnit):
    group = models.ForeignKey(JobcentreGroup, on_delete=models.PROTECT, related_name="districts")

    class Meta(OrganisationUnit.Meta):
        verbose_name = "district"


class Jobcentre(OrganisationUnit):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="jobcentres")
    uprn = models.CharField(
        "UPRN", max_length=20, blank=True, help_text="Unique Property Reference Number, where the register has one."
    )

    class Meta(OrganisationUnit.Meta):
        verbose_name = "jobcentre"


class JobRole(models.TextChoices):
    WORK_COACH = "work_coach", "Work coach"
    WORK_COACH_TEAM_LEADER = "team_leader", "Work coach team leader"
    SERVICE_LEADER = "service_leader", "Service leader"
    DISABILITY_EMPLOYMENT_ADVISER = "dea", "Disability employment adviser"
    COMMUNITY_PARTNER = "community_partner", "Community partner"
    SUPPORT = "support", "Jobcentre support"
    OTHER = "other", "Other"


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    jobcentre = models.ForeignKey(
        Jobcentre,
        on_delete=models.PROTECT,
        related_name="staff",
        null=True,
        blank=True,
        help_text="Where this person works now. Completion reports count people at their current jobcentre.",
    )
    job_role = models.CharField(max_length=32, choices=JobRole.choices, default=JobRole.WORK_COACH)

    class Meta:
        verbose_name = "staff profile"

    def __str__(self) -> str:
        return f"{self.user} at {self.jobcentre or 'no jobcentre'}"


class ScopeLevel(models.TextChoices):
    SITE = "site", "Site (one jobcentre)"
    DISTRICT = "district", "District"
    GROUP = "group", "Group"
    NATIONAL = "national", "National"


class ManagerScope(models.Model):
    """One area a manager may report on. A manager may hold several; their scope is the union."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="manager_scopes")
    level = models.CharField(max_length=16, choices=ScopeLevel.choices)
    jobcentre = models.ForeignKey(Jobcentre, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    district = models.ForeignKey(District, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    group = models.ForeignKey(JobcentreGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "manager scope"
        permissions = [("view_completion_reports", "Can view completion reports for their scope")]
        constraints = [
            # Exactly the unit matching the level is set; national names none.
            models.CheckConstraint(
                name="manager_scope_matches_level",
                condition=(
                    Q(level="site", jobcentre__isnull=False, district__isnull=True, group__isnull=True)
                    | Q(level="district", jobcentre__isnull=True, district__isnull=False, group__isnull=True)
                    | Q(level="group", jobcentre__isnull=True, district__isnull=True, group__isnull=False)
                    | Q(level="national", jobcentre__isnull=True, district__isnull=True, group__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        unit = self.jobcentre or self.district or self.group or "all of Great Britain"
        return f"{self.user}: {self.get_level_display()} – {unit}"
