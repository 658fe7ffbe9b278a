"""The co-production review: volunteers submit, a content editor approves (which publishes) or asks for changes."""

from django.urls import reverse
from wagtail.models import AbstractGroupApprovalTask

APPROVE = "approve"


class CoProductionReviewTask(AbstractGroupApprovalTask):
    """A group approval task that will not approve what the publish gate would refuse to publish.

    Approving publishes, so approving a learning item whose video is not ready or not captioned would approve
    the task and then fail. Instead the task stays in review and the editor is sent to the page, which says
    exactly what is missing.
    """

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == APPROVE:
            from lms.selectors.publishing import learning_item_publish_problems

            obj = task_state.workflow_state.content_object
            revision = obj.get_latest_revision()
            if revision is not None and learning_item_publish_problems(item=revision.as_object()):
                return reverse("lms_admin:publish_blocked", args=[obj.pk])
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return (
            "Members of the chosen groups approve (which publishes) or ask for changes. Learning items whose "
            "video is not ready or not captioned in English cannot be approved."
        )

    class Meta:
        verbose_name = "co-production review task"
        verbose_name_plural = "co-production review tasks"
