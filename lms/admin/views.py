"""Admin views for learning content: contributors (record consent, withdraw it), the consent review report, and
the page the co-production review sends an editor to when a page cannot be approved yet.

Permissions are checked on every view (PermissionCheckedMixin with the Contributor model's policy), so nothing
offered only to editors can be reached by a volunteer typing its address.
"""

import datetime

from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets.button import Button
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views import snippets

from lms.models import Contributor, ContributorStatus
from lms.selectors.contributors import REVIEW_WARNING_DAYS, contributor_withdrawal_plan, contributors_consent_review_due
from lms.selectors.publishing import learning_item_publish_problems
from lms.services.contributors import AlreadyWithdrawn, contributor_withdraw

contributor_policy = ModelPermissionPolicy(Contributor)


# --- Columns shared by the contributor listing and the consent review report -------------------------------------


def review_due_text(contributor: Contributor, today: datetime.date | None = None) -> str:
    """'Overdue by 3 days', 'Due in 12 days', 'Due today' or '' (not due within 30 days, or withdrawn)."""
    if contributor.is_withdrawn:
        return ""
    days = (contributor.consent_review_on - (today or timezone.localdate())).days
    if days < 0:
        return f"Overdue by {-days} day{'' if days == -1 else 's'}"
    if days == 0:
        return "Due today"
    if days <= REVIEW_WARNING_DAYS:
        return f"Due in {days} day{'' if days == 1 else 's'}"
    return ""


def status_column(**kwargs) -> StatusTagColumn:
    return StatusTagColumn(
        "status", label="Consent", accessor="get_status_display", primary=lambda c: not c.is_withdrawn, **kwargs
    )


# --- Contributor snippet views -----------------------------------------------------------------------------------


def withdraw_button(view, contributor: Contributor) -> list[Button]:
    """The 'Withdraw consent' button, for editors and while consent stands."""
    if contributor.is_withdrawn or not view.user_has_permission("change"):
        return []
    url = reverse(view.withdraw_url_name, args=[quote(contributor.pk)])
    return [Button("Withdraw consent", url=url, icon_name="warning", priority=40)]


def contributors_visible_to(user, queryset):
    """A withdrawn contributor's record (their name, why and when they withdrew) is for editors only: volunteers,
    who may only see and choose contributors, never reach it – not in the listing, nor by typing its address."""
    if user.has_perm("lms.change_contributor"):
        return queryset
    return queryset.filter(status=ContributorStatus.ACTIVE)


class ContributorIndexView(snippets.IndexView):
    withdraw_url_name = None

    def get_base_queryset(self):
        return contributors_visible_to(self.request.user, super().get_base_queryset())

    def get_list_more_buttons(self, instance):
        return [*super().get_list_more_buttons(instance), *withdraw_button(self, instance)]


class ContributorInspectView(snippets.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(contributors_visible_to(self.request.user, Contributor.objects.all()), pk=self.pk)


class ContributorCreateView(snippets.CreateView):
    def save_instance(self):
        self.form.instance.consent_recorded_by = self.request.user
        return super().save_instance()


class ContributorEditView(snippets.EditView):
    withdraw_url_name = None

    def get(self, request, *args, **kwargs):
        contributor = self.object
        if contributor.is_withdrawn:
            when = (
                timezone.localtime(contributor.withdrawn_at).strftime("%-d %B %Y") if contributor.withdrawn_at else ""
            )
            by = contributor.withdrawn_by.get_username() if contributor.withdrawn_by else "someone"
            messages.warning(
                request,
                f"{contributor.name} withdrew their consent ({when}, recorded by {by}): "
                f"{contributor.withdrawn_reason}. They cannot be chosen for any page.",
            )
        return super().get(request, *args, **kwargs)

    @property
    def header_more_buttons(self):
        return [*super().header_more_buttons, *withdraw_button(self, self.object)]


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        label="Why is consent being withdrawn?",
        help_text="For the record: who asked, how (e.g. phone call to the co-production lead) and anything agreed.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter the reason consent is being withdrawn."},
    )
    confirm = forms.BooleanField(
        label="I understand this takes these pages offline now and erases these videos for good.",
        error_messages={"required": "Tick the box to confirm you understand what happens."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter the reason consent is being withdrawn.")
        return reason


class ContributorWithdrawView(PermissionCheckedMixin, BaseObjectMixin, WagtailAdminTemplateMixin, FormView):
    """GET: everything that will happen (pages, videos, shared videos) and a reason box. POST: do it."""

    model = Contributor
    permission_policy = contributor_policy
    permission_required = "change"
    template_name = "lms/admin/withdraw_consent.html"
    form_class = WithdrawalForm
    page_title = "Withdraw consent"
    header_icon = "warning"
    index_url_name = None
    edit_url_name = None

    def get_page_subtitle(self):
        return self.object.name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": "Contributors"},
            {"url": self.edit_url, "label": self.object.name},
            {"url": "", "label": self.page_title},
        ]

    @property
    def edit_url(self):
        return reverse(self.edit_url_name, args=[quote(self.object.pk)])

    def dispatch(self, request, *args, **kwargs):
        if self.object.is_withdrawn:
            messages.error(request, f"{self.object.name}'s consent has already been withdrawn.")
            return redirect(self.edit_url)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        plan = contributor_withdrawal_plan(contributor=self.object)
        videos = [{"video": video, "shared": plan.shared_pages_of(video)} for video in plan.videos]
        return super().get_context_data(object=self.object, plan=plan, videos=videos, edit_url=self.edit_url, **kwargs)

    def form_valid(self, form):
        try:
            result = contributor_withdraw(
                contributor=self.object, user=self.request.user, reason=form.cleaned_data["reason"]
            )
        except AlreadyWithdrawn as error:
            messages.error(self.request, str(error))
            return redirect(self.edit_url)
        pages, videos = len(result.unpublished), len(result.erased_video_ids)
        messages.success(
            self.request,
            f"{self.object.name}'s consent is withdrawn. {pages} page{'' if pages == 1 else 's'} taken offline; "
            f"{videos} video{'' if videos == 1 else 's'} being erased. Content editors have been emailed.",
        )
        return redirect(reverse(self.index_url_name))


# --- Consent review report ---------------------------------------------------------------------------------------


class ConsentReviewReportView(ReportView):
    """Contributors whose consent review date has passed or is within 30 days. Editors only."""

    page_title = "Consent reviews due"
    header_icon = "user"
    index_url_name = "lms_admin:consent_review"
    index_results_url_name = "lms_admin:consent_review_results"
    permission_policy = contributor_policy
    permission_required = "change"
    list_export = ["name", "organisation", "consent_review_on", "consent_given_on", "consent_scope"]
    export_headings = {"consent_review_on": "Review consent by", "consent_given_on": "Consent given on"}
    no_results_message = (
        f"No contributor's consent is due for review in the next {REVIEW_WARNING_DAYS} days. Nothing to do."
    )

    def get_filename(self):
        return f"consent-reviews-due-{timezone.localdate():%Y-%m-%d}"

    @property
    def columns(self):
        return [
            TitleColumn(
                "name",
                label="Name or pseudonym",
                accessor="name",
                get_url=lambda c: reverse("wagtailsnippets_lms_contributor:edit", args=[quote(c.pk)]),
            ),
            Column("due", label="Review", accessor=review_due_text),
            DateColumn("consent_review_on", label="Review consent by"),
            Column("organisation", label="Came through"),
            DateColumn("consent_given_on", label="Consent given"),
        ]

    def get_queryset(self):
        return contributors_consent_review_due()


# --- Where the co-production review sends an editor whose approval was refused ------------------------------------


def publish_blocked(request, page_id: int):
    """Say why the page cannot be approved (published) yet, on the page's own editor."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    revision = page.get_latest_revision()
    problems = learning_item_publish_problems(item=revision.as_object() if revision else page)
    if problems:
        messages.error(request, f"'{page.title}' cannot be approved yet, because approving publishes it:")
        for problem in problems:
            messages.error(request, problem)
    return redirect("wagtailadmin_pages:edit", page.pk)
