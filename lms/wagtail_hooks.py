"""Admin wiring for learning content: snippets, the consent review report, audit log actions, and the publish
gate on the admin routes that publish without ``page.publish()``."""

from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet

from lms.admin import gates
from lms.admin import urls as admin_urls
from lms.admin.viewsets import LearningContentViewSetGroup
from lms.services.contributors import UNPUBLISH_LOG_ACTION, WITHDRAW_LOG_ACTION
from lms.services.publishing import BLOCKED_LOG_ACTION

register_snippet(LearningContentViewSetGroup)

EDITOR_PERMISSION = "lms.change_contributor"


@hooks.register("register_admin_urls")
def register_lms_admin_urls():
    return [path("learning/", include(admin_urls, namespace="lms_admin"))]


class EditorsOnlyMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(EDITOR_PERMISSION)


@hooks.register("register_reports_menu_item")
def register_consent_review_menu_item():
    return EditorsOnlyMenuItem(
        "Consent reviews due", reverse("lms_admin:consent_review"), name="consent-reviews", icon_name="user", order=650
    )


@hooks.register("construct_reports_menu")
def hide_reports_from_volunteers(request, menu_items):
    """Volunteers author; reports (site history, workflows, page types) are for editors."""
    if not (request.user.is_superuser or request.user.has_perm(EDITOR_PERMISSION)):
        menu_items[:] = []


@hooks.register("before_publish_page")
def refuse_publishing_what_learners_cannot_watch(request, page):
    return gates.edit_view_publish_refusal(request, page)


@hooks.register("before_bulk_action")
def refuse_bulk_publishing_what_learners_cannot_watch(request, action_type, objects, action):
    return gates.bulk_publish_refusal(request, action_type, objects, action)


@hooks.register("construct_admin_api")
def gate_admin_api_publishing(router):
    router.register_endpoint("pages", gates.GatedPagesAdminAPIViewSet)


@hooks.register("insert_global_admin_js")
def start_widgets_under_the_csp():
    """Wagtail's choosers and date pickers start from inline scripts, which the CSP blocks: see the file."""
    return format_html('<script type="module" src="{}"></script>', static("js/admin/csp-widgets.js"))


@hooks.register("register_log_actions")
def register_lms_log_actions(actions):
    @actions.register_action(WITHDRAW_LOG_ACTION)
    class ConsentWithdrawn(LogFormatter):
        label = "Withdraw consent"

        def format_message(self, log_entry):
            # No reason here: the site history is open to volunteers. Editors read it on the contributor's record.
            data = log_entry.data or {}
            pages, videos = len(data.get("unpublished", [])), len(data.get("videos", []))
            return f"Consent withdrawn – {pages} page(s) unpublished, {videos} video(s) queued for erasure"

    @actions.register_action(BLOCKED_LOG_ACTION)
    class PublishRefused(LogFormatter):
        label = "Publishing refused"

        def format_message(self, log_entry):
            problems = (log_entry.data or {}).get("problems", [])
            return "Scheduled publishing refused: " + " ".join(problems)

    actions.register_action(
        UNPUBLISH_LOG_ACTION, "Unpublish: consent withdrawn", "Unpublished because a contributor withdrew consent"
    )
