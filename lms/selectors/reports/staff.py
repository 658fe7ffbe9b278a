"""Drill-down: the staff of one jobcentre, each with their status, last activity and completion date."""

import datetime
from dataclasses import dataclass

from django.db.models import Max, QuerySet
from django.utils import timezone

from lms.models import Completion, Jobcentre, JobRole, Progress, StaffProfile

from .common import Coverage, ReportFilters

STATUS_LABELS = {
    "completed": "Completed",
    "completed_outside": "Completed outside these dates",
    "in_progress": "In progress",
    "not_started": "Not started",
    "not_assigned": "Not assigned",
}


@dataclass
class StaffRow:
    profile: StaffProfile
    name: str
    job_role: str
    status: str = "not_started"
    completed_on: datetime.datetime | None = None
    last_activity: datetime.datetime | None = None
    due_on: datetime.date | None = None
    overdue: bool = False
    # All required learning: how many pieces are assigned, completed, in progress and overdue.
    assigned: int = 0
    completed: int = 0
    in_progress: int = 0
    overdue_count: int = 0

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _due_by_role(*, jobcentre: Jobcentre, coverage: Coverage) -> dict[str, dict[int, datetime.date]]:
    return {role: coverage.due_dates(jobcentre=jobcentre, job_role=role) for role in JobRole.values}


def report_site_staff(*, jobcentre: Jobcentre, filters: ReportFilters, coverage: Coverage) -> QuerySet[StaffProfile]:
    """The staff of ``jobcentre`` the report counts (by job role; with ``assigned_only``, only people with the
    item, or anything, assigned), by name. The caller has checked that ``jobcentre`` is in scope."""
    profiles = StaffProfile.objects.filter(jobcentre=jobcentre).select_related("user")
    if filters.job_role:
        profiles = profiles.filter(job_role=filters.job_role)
    if filters.assigned_only:
        due = _due_by_role(jobcentre=jobcentre, coverage=coverage)
        if filters.item_id is None:
            roles = [role for role, items in due.items() if items]
        else:
            roles = [role for role, items in due.items() if filters.item_id in items]
        profiles = profiles.filter(job_role__in=roles)
    return profiles.order_by("user__last_name", "user__first_name", "user__username", "pk")


def report_site_staff_rows(
    *,
    jobcentre: Jobcentre,
    profiles: list[StaffProfile],
    filters: ReportFilters,
    coverage: Coverage,
    today: datetime.date | None = None,
) -> list[StaffRow]:
    """Status of each of ``profiles`` (one page of ``report_site_staff``) for the filters' item or for all their
    required learning. Two queries, whatever the page size."""
    today = today or timezone.localdate()
    due = _due_by_role(jobcentre=jobcentre, coverage=coverage)
    user_ids = [profile.user_id for profile in profiles]
    item_ids = [filters.item_id] if filters.item_id is not None else coverage.item_ids
    completions = Completion.objects.filter(user_id__in=user_ids, item_id__in=item_ids).values_list(
        "user_id", "item_id", "completed_at"
    )
    done: dict[tuple[int, int], datetime.datetime] = {(u, i): at for u, i, at in completions}
    progress = (
        Progress.objects.filter(user_id__in=user_ids, item_id__in=item_ids)
        .values_list("user_id", "item_id")
        .annotate(last=Max("updated_at"))
    )
    started: dict[tuple[int, int], datetime.datetime] = {(u, i): last for u, i, last in progress}
    inside = filters.completed_in_range

    rows = []
    for profile in profiles:
        user = profile.user
        row = StaffRow(
            profile=profile,
            name=user.get_full_name() or user.get_username(),
            job_role=profile.get_job_role_display(),
        )
        mine = due[profile.job_role]
        items = [filters.item_id] if filters.item_id is not None else sorted(mine)
        activity = []
        for item in items:
            completed_at = done.get((profile.user_id, item))
            progressed_at = started.get((profile.user_id, item))
            activity += [at for at in (completed_at, progressed_at) if at is not None]
            overdue = completed_at is None and item in mine and mine[item] < today
            if filters.item_id is not None:
                row.due_on = mine.get(item)
                row.overdue = overdue
                row.completed_on = completed_at
                if completed_at is not None:
                    row.status = "completed" if inside(completed_at) else "completed_outside"
                elif progressed_at is not None:
                    row.status = "in_progress"
                elif filters.assigned_only is False or item in mine:
                    row.status = "not_started"
            else:
                row.assigned += 1
                row.completed += completed_at is not None and inside(completed_at)
                row.in_progress += completed_at is None and progressed_at is not None
                row.overdue_count += overdue
                row.overdue = row.overdue or overdue
        row.last_activity = max(activity) if activity else None
        rows.append(row)
    return rows
