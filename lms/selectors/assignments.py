"""Who is assigned what. Audiences are resolved when asked, from each person's current jobcentre and job role."""

from django.db.models import Q, QuerySet

from lms.models import Assignment, StaffProfile


def assignments_for_staff(*, profile: StaffProfile | None) -> QuerySet[Assignment]:
    """The assignments whose audience includes this member of staff, earliest due first.

    Someone with no jobcentre is in national audiences only. An item assigned twice (say nationally and to their
    district) appears twice; callers that show one line per item keep the earliest due date.
    """
    audience = Q(level="national")
    if profile is not None and profile.jobcentre_id is not None:
        jobcentre = profile.jobcentre
        audience |= (
            Q(level="site", jobcentre_id=jobcentre.pk)
            | Q(level="district", district_id=jobcentre.district_id)
            | Q(level="group", group_id=jobcentre.district.group_id)
        )
    role = Q(job_role="")
    if profile is not None:
        role |= Q(job_role=profile.job_role)
    return Assignment.objects.filter(audience & role).select_related("item").order_by("due_on", "pk")


def assignment_audience_q(assignment: Assignment, *, prefix: str = "") -> Q:
    """A filter on StaffProfile (or, with ``prefix="staff_profile__"``, on users) for the assignment's audience."""
    match assignment.level:
        case "site":
            audience = Q(**{f"{prefix}jobcentre_id": assignment.jobcentre_id})
        case "district":
            audience = Q(**{f"{prefix}jobcentre__district_id": assignment.district_id})
        case "group":
            audience = Q(**{f"{prefix}jobcentre__district__group_id": assignment.group_id})
        case _:
            audience = Q()
    if assignment.job_role:
        audience &= Q(**{f"{prefix}job_role": assignment.job_role})
    return audience
