"""Recording completions: once per learner and item, with the learner's site at the time.

Every way of completing (watching, attending live, a group screening) goes through ``completion_record``, so
whatever must happen alongside a completion (the series check, the reports' roll-up) happens in one place and in
the caller's transaction.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import Page

from lms.models import Completion, CompletionMethod, ModulePage, SeriesPage, StaffProfile
from lms.services.rollups import rollup_completion_recorded


def completion_record(
    *,
    user,
    item: Page,
    method: str,
    completed_at: datetime | None = None,
    recorded_by=None,
) -> tuple[Completion, bool]:
    """Record that ``user`` completed ``item`` and return ``(completion, created)``.

    A second call for the same learner and item changes nothing and returns the first completion with
    ``created=False``: the first way of completing is the one kept. When ``item`` is a module and it completes
    every required module of its series, the series' completion is recorded too (method ``series``).
    Safe under concurrency: the unique constraint decides the race, and the loser gets the winner's row.
    """
    completed_at = completed_at or timezone.now()
    with transaction.atomic():
        existing = Completion.objects.filter(user=user, item_id=item.pk).first()
        if existing is not None:
            return existing, False
        placement = StaffProfile.objects.filter(user=user).values_list("jobcentre_id", "job_role").first()
        jobcentre_id = placement[0] if placement else None
        try:
            with transaction.atomic():
                completion = Completion.objects.create(
                    user=user,
                    item_id=item.pk,
                    completed_at=completed_at,
                    method=method,
                    jobcentre_id=jobcentre_id,
                    recorded_by=recorded_by,
                )
        except IntegrityError:
            return Completion.objects.get(user=user, item_id=item.pk), False
        rollup_completion_recorded(user=user, item_id=item.pk, placement=placement)
        _series_complete_if_done(user=user, item=item, completed_at=completed_at)
    return completion, True


def _series_complete_if_done(*, user, item: Page, completed_at: datetime) -> None:
    if item.specific_class is not ModulePage:
        return
    series = SeriesPage.objects.filter(pk=item.get_parent().pk).first()
    if series is None:
        return
    required = ModulePage.objects.child_of(series).live().filter(is_required=True).values_list("pk", flat=True)
    required = set(required)
    if not required:
        return
    done = set(Completion.objects.filter(user=user, item_id__in=required).values_list("item_id", flat=True))
    if required <= done:
        completion_record(user=user, item=series, method=CompletionMethod.SERIES, completed_at=completed_at)
