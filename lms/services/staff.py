"""Changes to a member of staff's record that reports depend on."""

from django.db import transaction

from lms.models import Jobcentre, StaffProfile


def staff_profile_move(
    *, profile: StaffProfile, jobcentre: Jobcentre | None, job_role: str | None = None
) -> StaffProfile:
    """Move a member of staff to ``jobcentre`` (``None``: no jobcentre) and, if given, a new ``job_role``.

    Their completions and started items move with them in the reports at once: the roll-up is updated in the
    same transaction (by ``lms.rollup_signals`` on save, which also covers sign-in updates and admin edits).
    """
    with transaction.atomic():
        profile.jobcentre = jobcentre
        if job_role is not None:
            profile.job_role = job_role
        profile.save()
    return profile
