"""Keep the reports' roll-up right whenever a staff record is saved or deleted. Connected in LmsConfig.ready().

Thin on purpose: the counting is ``lms.services.rollups.rollup_staff_moved``. Saving through the ORM (the staff
service, single sign-on updates, admin edits) is covered; ``bulk_create``/``update`` are not (run rollups_rebuild).
"""

from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver

from lms.models import StaffProfile
from lms.services.rollups import rollup_staff_moved


@receiver(pre_save, sender=StaffProfile, dispatch_uid="rollup_staff_profile_pre_save")
def _remember_placement(sender, instance: StaffProfile, raw: bool = False, **kwargs) -> None:
    # Read what the database holds now (not what was loaded), so that a stale instance still moves the right counts.
    if raw or instance.pk is None:
        instance._rollup_before = None
        return
    instance._rollup_before = (
        StaffProfile.objects.filter(pk=instance.pk).values_list("jobcentre_id", "job_role").first()
    )


@receiver(post_save, sender=StaffProfile, dispatch_uid="rollup_staff_profile_post_save")
def _move_counts(sender, instance: StaffProfile, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    before = getattr(instance, "_rollup_before", None)
    rollup_staff_moved(user_id=instance.user_id, before=before, after=(instance.jobcentre_id, instance.job_role))


@receiver(pre_delete, sender=StaffProfile, dispatch_uid="rollup_staff_profile_pre_delete")
def _remove_counts(sender, instance: StaffProfile, **kwargs) -> None:
    # pre_delete: when a user is deleted, their completions still exist here and are removed after.
    before = StaffProfile.objects.filter(pk=instance.pk).values_list("jobcentre_id", "job_role").first()
    rollup_staff_moved(user_id=instance.user_id, before=before, after=None)
