"""Setting and removing assignments: an item or series that an audience must complete by a date.

Only editors and national reporting hold ``lms.add_assignment``/``lms.delete_assignment`` (see ``lms.roles``);
the views check it. Who is in an audience is worked out when asked (``lms.selectors.assignments``), so staff who
move pick up their new site's assignments at once; learners see them on My learning, managers as "overdue".
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from wagtail.models import Page

from home.audit import audit_log
from lms.models import Assignment, District, Jobcentre, JobcentreGroup, JobRole, ScopeLevel

Unit = Jobcentre | District | JobcentreGroup | None


def assignment_create(
    *, item: Page, level: str, unit: Unit, job_role: str, due_on: datetime.date, created_by
) -> Assignment:
    """Assign ``item`` to everyone at ``unit`` (a jobcentre, district or group; ``None`` for national, with
    ``level`` saying which) with ``job_role`` (empty: every role), due on ``due_on``."""
    fields = {"jobcentre": None, "district": None, "group": None}
    expected = {ScopeLevel.SITE: Jobcentre, ScopeLevel.DISTRICT: District, ScopeLevel.GROUP: JobcentreGroup}
    if level == ScopeLevel.NATIONAL:
        if unit is not None:
            raise ValidationError("A national assignment names no jobcentre, district or group.")
    elif level in expected and isinstance(unit, expected[level]):
        fields[{ScopeLevel.SITE: "jobcentre", ScopeLevel.DISTRICT: "district", ScopeLevel.GROUP: "group"}[level]] = unit
    else:
        raise ValidationError("Choose who the learning is for.")
    if job_role and job_role not in JobRole.values:
        raise ValidationError("Choose a job role from the list.")
    with transaction.atomic():
        assignment = Assignment.objects.create(
            item=item, level=level, job_role=job_role, due_on=due_on, created_by=created_by, **fields
        )
    audit_log(
        "assignment.created",
        user_id=getattr(created_by, "pk", None),
        assignment_id=assignment.pk,
        item_id=item.pk,
        audience=level,
        unit_id=getattr(unit, "pk", None),
        job_role=job_role,
        due_on=due_on.isoformat(),
    )
    return assignment


def assignment_delete(*, assignment: Assignment, deleted_by) -> None:
    """Remove an assignment. Completions are kept; people simply no longer have it to do."""
    audit_log(
        "assignment.deleted",
        user_id=getattr(deleted_by, "pk", None),
        assignment_id=assignment.pk,
        item_id=assignment.item_id,
    )
    assignment.delete()
