"""Recording attendance: completions a manager records for staff who attended a webinar live (from its Teams
attendance report) or watched a module, film or webinar together in a team meeting (a group screening).

``attendance_check_item`` says whether an item can be recorded that way at all; ``attendance_record`` writes the
completions through ``lms.services.completions.completion_record`` (so the roll-up and series completion follow)
for the staff the manager may record, once each, and writes one ``attendance.recorded`` audit event.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from home.audit import audit_log
from lms.models import CompletionMethod, WebinarPage
from lms.models.content import LEARNING_ITEM_MODELS
from lms.selectors.attendance import attendance_staff_in_scope
from lms.selectors.scope import ReportScope
from lms.services.completions import completion_record

METHODS = (CompletionMethod.ATTENDED_LIVE, CompletionMethod.GROUP_SCREENING)


class AttendanceRefused(Exception):
    """The item cannot be completed this way (now); ``message`` says why, for the manager."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class AttendanceOutcome:
    """User ids: completions ``recorded`` now, those who had ``already`` completed, and those ``refused`` because
    they are no longer active staff in the manager's area."""

    recorded: tuple[int, ...]
    already: tuple[int, ...]
    refused: tuple[int, ...]

    def to_dict(self) -> dict:
        return {"recorded": list(self.recorded), "already": list(self.already), "refused": list(self.refused)}


def attendance_check_item(*, item: Page, method: str, now: datetime.datetime, on: datetime.date | None = None) -> None:
    """Raise ``AttendanceRefused`` unless ``item`` can be completed by ``method`` (at ``now``; screenings ``on``).

    Attended live: the item is a webinar whose editor ticked "attending live completes it", and it has started.
    Group screening: the item is a live module, film or webinar with a video, and ``on`` (the day of the team
    meeting) is not in the future and not before a webinar took place.
    """
    if method == CompletionMethod.ATTENDED_LIVE:
        if not isinstance(item, WebinarPage):
            raise AttendanceRefused(f"“{item.title}” is not a webinar, so nobody can attend it live.")
        if not item.attendance_completes:
            raise AttendanceRefused(
                f"Attending “{item.title}” live does not count as completing it: its editor has not ticked "
                "“attending live completes it”. Staff complete it by watching the recording. Ask a content editor "
                "if this is wrong."
            )
        if item.starts_at > now:
            raise AttendanceRefused(
                f"“{item.title}” has not happened yet: it starts on {_when(item.starts_at)}. Record attendance "
                "after the webinar."
            )
        return
    if method != CompletionMethod.GROUP_SCREENING:
        raise ValueError(f"attendance is recorded as one of {METHODS}, not {method!r}")
    if not isinstance(item, LEARNING_ITEM_MODELS) or not item.live:
        raise AttendanceRefused("Choose a module, film or webinar that is on JCP Learning now.")
    if item.video_id is None:
        raise AttendanceRefused(f"“{item.title}” has no video yet, so it cannot have been shown in a team meeting.")
    if on is None:
        raise ValueError("a group screening needs the day it took place (on=)")
    if on > timezone.localdate(now):
        raise AttendanceRefused("The date of the team meeting must be today or in the past.")
    if isinstance(item, WebinarPage) and on < timezone.localdate(item.starts_at):
        raise AttendanceRefused(
            f"The date of the team meeting must be on or after {_when(item.starts_at, time=False)}, "
            f"when the webinar “{item.title}” took place."
        )


def attendance_completed_at(*, item: Page, method: str, now: datetime.datetime, on: datetime.date | None = None):
    """When the completions are dated: the end of the webinar (or now, if it is still running) for live
    attendance; midday on the day of the team meeting (or now, if that is still to come today) for a screening."""
    if method == CompletionMethod.ATTENDED_LIVE:
        return min(item.ends_at, now)
    midday = timezone.make_aware(datetime.datetime.combine(on, datetime.time(12, 0)))
    return min(midday, now)


def attendance_record(
    *,
    recorded_by,
    scope: ReportScope,
    item: Page,
    method: str,
    user_ids: Iterable[int],
    on: datetime.date | None = None,
    source: str,
    now: datetime.datetime | None = None,
) -> AttendanceOutcome:
    """Record that each of ``user_ids`` completed ``item`` by ``method`` (``attended_live`` or
    ``group_screening``), recorded by ``recorded_by``, and return what happened to each.

    The item is checked again (``attendance_check_item``: an editor may have changed the webinar since the
    manager uploaded the report). Only active staff whose current jobcentre is in ``scope`` are recorded, read
    afresh here; anyone else is returned as ``refused`` and nothing is written for them. Someone who already
    completed the item keeps their first completion (``already``), so recording the same people again writes
    nothing new. All completions are written in one transaction, followed by one ``attendance.recorded`` audit
    event (``source`` says where the list came from: ``teams_report`` or ``group_screening``).
    """
    now = now or timezone.now()
    attendance_check_item(item=item, method=method, now=now, on=on)
    completed_at = attendance_completed_at(item=item, method=method, now=now, on=on)
    wanted = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    eligible = attendance_staff_in_scope(scope=scope, user_ids=wanted)
    users = get_user_model().objects.in_bulk([user_id for user_id in wanted if user_id in eligible])
    recorded, already = [], []
    with transaction.atomic():
        for user_id in wanted:
            if user_id not in users:
                continue
            _, created = completion_record(
                user=users[user_id], item=item, method=method, completed_at=completed_at, recorded_by=recorded_by
            )
            (recorded if created else already).append(user_id)
    outcome = AttendanceOutcome(
        recorded=tuple(recorded),
        already=tuple(already),
        refused=tuple(user_id for user_id in wanted if user_id not in users),
    )
    audit_log(
        "attendance.recorded",
        level=logging.WARNING if outcome.refused else logging.INFO,
        user_id=recorded_by.pk,
        item_id=item.pk,
        method=str(method),
        source=source,
        completed_at=completed_at.isoformat(),
        scope=scope.description,
        **outcome.to_dict(),
    )
    return outcome


def _when(moment: datetime.datetime, *, time: bool = True) -> str:
    local = timezone.localtime(moment)
    text = f"{local:%-d %B %Y}"
    return f"{text} at {local:%-I:%M%p}".replace("AM", "am").replace("PM", "pm") if time else text
