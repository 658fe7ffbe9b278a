"""Withdrawing a contributor's consent: one transaction takes every page featuring them offline, and their media
is erased once it has committed.

What stays: the contributor's own record (name, what they agreed to, and who recorded the withdrawal, when and
why) – it is the evidence that the withdrawal was acted on, and only editors can see it. What goes: every
reference to them in page content and in *every* page revision (so reverting or publishing an old version can
never bring them back), every video on a page featuring them (erased from storage by the `erase_video` task),
and those videos' references in page revisions. A human library film keeps its storyteller (the field is
required) but can never be published again: the publish gate refuses pages featuring a withdrawn person.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.actions.unpublish_page import UnpublishPageAction
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, ReferenceIndex, Revision

from home.audit import audit_log
from lms import roles
from lms.models import Contributor, ContributorStatus
from lms.selectors.contributors import (
    LEARNING_ITEM_MODELS,
    PEOPLE_KEYS,
    contributor_withdrawal_plan,
    learning_item_content_types,
)

logger = logging.getLogger(__name__)

WITHDRAW_LOG_ACTION = "lms.consent_withdraw"
UNPUBLISH_LOG_ACTION = "lms.consent_unpublish"
WITHDRAWN_LOG_LABEL = "Withdrawn contributor"


class AlreadyWithdrawn(Exception):
    pass


@dataclass(frozen=True)
class WithdrawalResult:
    contributor: Contributor
    unpublished: list  # pages taken offline
    erased_video_ids: list  # queued for erasure once committed
    scrubbed_revisions: int


def contributor_withdraw(*, contributor: Contributor, user, reason: str) -> WithdrawalResult:
    """Record that ``contributor`` withdrew consent and act on it, all in one transaction.

    Marks them withdrawn (by ``user``, now, for ``reason``); unpublishes every page featuring them and every page
    that would lose a video being erased; cancels those pages' schedules and reviews; removes them and the erased
    videos from page content and from every page revision; writes the audit log. After commit: queues
    ``erase_video`` for each video and emails the content editors. Raises ``AlreadyWithdrawn`` the second time.
    """
    reason = reason.strip()
    if not reason:
        raise ValueError("A reason is required.")
    with transaction.atomic():
        contributor = Contributor.objects.select_for_update().get(pk=contributor.pk)
        if contributor.is_withdrawn:
            raise AlreadyWithdrawn(f"{contributor.name}'s consent was already withdrawn.")
        plan = contributor_withdrawal_plan(contributor=contributor)
        video_ids = [video.pk for video in plan.videos]

        contributor.status = ContributorStatus.WITHDRAWN
        contributor.withdrawn_at = timezone.now()
        contributor.withdrawn_by = user
        contributor.withdrawn_reason = reason
        contributor.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "withdrawn_reason"])

        unpublished = []
        for page in plan.pages_to_unpublish:
            UnpublishPageAction(page, user=user, log_action=UNPUBLISH_LOG_ACTION).execute(skip_permission_checks=True)
            unpublished.append(page)
        affected = [*plan.pages, *plan.other_pages]
        for page in affected:
            if (state := page.current_workflow_state) is not None:
                state.cancel(user=user)
        Revision.page_revisions.filter(object_id__in=[str(page.pk) for page in affected]).update(
            approved_go_live_at=None
        )

        _remove_from_pages(contributor=contributor, video_ids=video_ids)
        scrubbed = _scrub_revisions(contributor_id=contributor.pk, video_ids={str(pk) for pk in video_ids})
        for page in affected:
            ReferenceIndex.create_or_update_for_object(page.specific_class.objects.get(pk=page.pk))

        log(
            instance=contributor,
            action=WITHDRAW_LOG_ACTION,
            user=user,
            data={
                "reason": reason,
                "pages": [{"id": page.pk, "title": page.title} for page in plan.pages],
                "unpublished": [page.pk for page in unpublished],
                "videos": [{"id": str(video.pk), "title": video.title} for video in plan.videos],
            },
        )
        # Volunteers may read Wagtail's site history, which lists every contributor log entry by its label: from
        # now on those entries say "Withdrawn contributor", not the name (kept on the record, for editors only).
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Contributor), object_id=str(contributor.pk)
        ).update(label=WITHDRAWN_LOG_LABEL)
        transaction.on_commit(lambda: _erase_videos(video_ids))
        transaction.on_commit(lambda: _notify_editors(contributor=contributor, plan=plan, user=user, reason=reason))
    # The structured audit line carries ids only: the log outlives the person's wish to be forgotten.
    audit_log(
        "consent.withdrawn",
        user_id=getattr(user, "pk", None),
        contributor_id=contributor.pk,
        pages_unpublished=[page.pk for page in unpublished],
        videos_erased=[str(pk) for pk in video_ids],
        revisions_scrubbed=scrubbed,
    )
    return WithdrawalResult(contributor, unpublished, video_ids, scrubbed)


def _remove_from_pages(*, contributor: Contributor, video_ids: list) -> None:
    """Take them out of every page row, and the erased videos with them (the rows go before the files do)."""
    for model in LEARNING_ITEM_MODELS:
        model.contributors.through.objects.filter(contributor=contributor).delete()
        if video_ids:
            model.objects.filter(video_id__in=video_ids).update(video=None)
    from lms.models import WebinarPage

    WebinarPage.presenters.through.objects.filter(contributor=contributor).delete()


def _scrub_revisions(*, contributor_id: int, video_ids: set[str]) -> int:
    """Remove the contributor and the erased videos from every learning item revision. Returns how many changed."""
    changed = 0
    revisions = Revision.page_revisions.filter(content_type__in=learning_item_content_types()).only("content")
    for revision in revisions.iterator():
        content = revision.content
        dirty = False
        for key in PEOPLE_KEYS:
            people = content.get(key) or []
            if contributor_id in [int(pk) for pk in people]:
                content[key] = [pk for pk in people if int(pk) != contributor_id]
                dirty = True
        if content.get("video") and str(content["video"]) in video_ids:
            content["video"] = None
            dirty = True
        if dirty:
            Revision.objects.filter(pk=revision.pk).update(content=content)
            changed += 1
    return changed


def _erase_videos(video_ids: list) -> None:
    from media_pipeline.tasks import erase_video

    for video_id in video_ids:
        erase_video.enqueue(str(video_id))


def _notify_editors(*, contributor: Contributor, plan, user, reason: str) -> None:
    recipients = list(
        get_user_model()
        .objects.filter(groups__name=roles.EDITOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        logger.warning("consent withdrawal of contributor %s: no content editor has an email address", contributor.pk)
        return
    finder = AdminURLFinder()
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    who = (user.get_full_name() or user.get_username()) if user else "Someone"
    lines = [
        f"{who} recorded that {contributor.name} has withdrawn their consent.",
        f"Reason given: {reason}",
        "",
        "These pages have been taken offline:" if plan.pages_to_unpublish else "No page was live.",
        *(f"- {page.title}: {base}{finder.get_edit_url(page) or ''}" for page in plan.pages_to_unpublish),
        "",
        f"{len(plan.videos)} video(s) are being erased from storage:" if plan.videos else "No video is erased.",
        *(f"- {video.title}" for video in plan.videos),
        "",
        "Pages that featured them cannot be published with them again. Check each page's title and text for their "
        "name too.",
        f"Contributor record: {base}{reverse('wagtailsnippets_lms_contributor:edit', args=[contributor.pk])}",
    ]
    send_mail(
        subject=f"Consent withdrawn: {contributor.name} – {len(plan.pages_to_unpublish)} page(s) taken offline",
        message="\n".join(lines),
        from_email=None,
        recipient_list=recipients,
    )
