"""The publish gate on the admin routes that do not go through ``LearningItemPage.publish``.

Called from wagtail_hooks.py. See ``lms.services.publishing`` for the whole map of publish routes.
"""

from django.shortcuts import redirect
from wagtail.admin import messages
from wagtail.admin.api.actions.publish import PublishPageAPIAction
from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.api.v2.utils import BadRequestError

from lms.selectors.publishing import learning_item_publish_problems


def edit_view_publish_refusal(request, page):
    """For ``before_publish_page``: the edit view publishes without ``page.publish()``. The draft is already saved."""
    revision = page.get_latest_revision()
    problems = learning_item_publish_problems(item=revision.as_object() if revision else page)
    if not problems:
        return None
    messages.error(request, f"'{page.title}' was saved as a draft but not published:")
    for problem in problems:
        messages.error(request, problem)
    return redirect("wagtailadmin_pages:edit", page.pk)


def _pages_going_live(objects, action):
    """The pages a bulk publish would publish: those chosen and, if asked for, their draft descendants."""
    pages = [page.specific for page in objects]
    form = getattr(action, "cleaned_form", None)
    if form is not None and form.cleaned_data.get("include_descendants"):
        for page in objects:
            pages.extend(page.get_descendants().not_live().specific())
    return pages


def bulk_publish_refusal(request, action_type, objects, action):
    """For ``before_bulk_action``: refuse the whole batch (nothing half-published) and say which pages and why."""
    if action_type != "publish":
        return None
    refused = []
    for page in _pages_going_live(objects, action):
        revision = page.get_latest_revision()
        problems = learning_item_publish_problems(item=revision.as_object() if revision else page)
        if problems:
            refused.append((page, problems))
    if not refused:
        return None
    messages.error(
        request, "Nothing was published, because these pages cannot go live yet. Fix them, or leave them out:"
    )
    for page, problems in refused:
        messages.error(request, f"{page.title}: {' '.join(problems)}")
    return redirect(action.next_url)


class GatedPublishPageAPIAction(PublishPageAPIAction):
    def execute(self, instance, data):
        revision = instance.get_latest_revision()
        problems = learning_item_publish_problems(item=revision.as_object() if revision else instance.specific)
        if problems:
            raise BadRequestError(" ".join(problems))
        return super().execute(instance, data)


class GatedPagesAdminAPIViewSet(PagesAdminAPIViewSet):
    actions = {**PagesAdminAPIViewSet.actions, "publish": GatedPublishPageAPIAction}
