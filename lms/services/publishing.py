"""The publish gate: a learning item goes live (or is scheduled to) only when learners can watch it with captions.

Every way Wagtail publishes a page ends in ``LearningItemPage.publish`` or in a hook that calls
``learning_item_publish_guard`` first:

- ``revision.publish()`` / ``page.publish()`` from code, commands, workflow approval and bulk publish →
  ``LearningItemPage.publish`` (the model) calls the guard;
- the page editor's Publish button, scheduling and "approve" from the editor → the page form refuses with the
  problems on the video field, and the ``before_publish_page`` hook backs it up;
- "Approve" from the workflow modal or dashboard → ``CoProductionReviewTask.on_action`` does not approve;
- bulk publish → the ``before_bulk_action`` hook refuses the whole batch and says which pages and why;
- the admin API's publish action → a gated endpoint registered through ``construct_admin_api``.

Scheduled publishing is checked twice: when the editor schedules it and again when ``publish_scheduled`` makes
it live, because a video can be reprocessed (or its captions replaced) in between.
"""

import logging

from django.core.exceptions import ValidationError
from wagtail.log_actions import log

from lms.selectors.publishing import learning_item_publish_problems

logger = logging.getLogger(__name__)

SCHEDULED_LOG_ACTION = "wagtail.publish.scheduled"
BLOCKED_LOG_ACTION = "lms.publish_blocked"


class PublishBlocked(ValidationError):
    """Raised instead of publishing a learning item that learners could not watch with captions."""

    def __init__(self, problems: list[str]):
        super().__init__(problems)
        self.problems = problems


def learning_item_publish_guard(*, item) -> None:
    """Raise ``PublishBlocked`` with every problem when ``item`` (a page, or a revision's page) may not go live."""
    problems = learning_item_publish_problems(item=item)
    if problems:
        raise PublishBlocked(problems)


def revision_publish_guard(*, revision, log_action=True, user=None) -> bool:
    """The gate for ``revision.publish()``. Returns True when publishing may go ahead.

    Raises ``PublishBlocked`` — except for a scheduled go-live run by ``publish_scheduled``: raising there would
    stop every other page's go-live too, so the schedule is cancelled, the refusal is written to the page's
    history and False is returned.
    """
    item = revision.as_object()
    problems = learning_item_publish_problems(item=item)
    if not problems:
        return True
    if log_action == SCHEDULED_LOG_ACTION:
        revision.approved_go_live_at = None
        revision.save(update_fields=["approved_go_live_at"])
        log(instance=item, action=BLOCKED_LOG_ACTION, user=user, revision=revision, data={"problems": problems})
        logger.warning("scheduled publishing of page %s refused: %s", item.pk, problems)
        return False
    raise PublishBlocked(problems)
