"""Snippets for the things learning pages share: topics, content notes and contributors (registered in
wagtail_hooks.py under one "Learning content" menu item).

Volunteers may see and choose all three; editors manage them (see lms/roles.py). Withdrawn contributors stay
listed for editors (their record is the evidence of the withdrawal), are hidden from volunteers, and are never
offered – or accepted by id – in a chooser.
"""

from django.urls import path
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from home.admin_choosers import (
    SnippetChosenMultipleViewStrict,
    SnippetChosenViewStrict,
    StrictSnippetChooserViewSet,
)
from lms.admin import views
from lms.models import ContentNote, Contributor, Topic
from lms.selectors.contributors import contributors_choosable


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = "Topics"
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "description"]
    search_backend_name = None  # the database: the listing is small and this finds part-words
    ordering = ["name"]
    inspect_view_enabled = True
    chooser_viewset_class = StrictSnippetChooserViewSet


class ContentNoteViewSet(SnippetViewSet):
    model = ContentNote
    icon = "warning"
    menu_label = "Content notes"
    list_display = ["name", "description"]
    search_fields = ["name", "description"]
    search_backend_name = None
    ordering = ["name"]
    inspect_view_enabled = True
    chooser_viewset_class = StrictSnippetChooserViewSet


class _ActiveContributorsOnly:
    def get_object_list(self):
        return contributors_choosable()


class ContributorChooseView(_ActiveContributorsOnly, ChooseView):
    pass


class ContributorChooseResultsView(_ActiveContributorsOnly, ChooseResultsView):
    pass


class ContributorChosenView(SnippetChosenViewStrict):
    """Choosing by id (what the chooser's JavaScript asks for) cannot pick a withdrawn contributor either."""

    def get_object(self, pk):
        contributor = super().get_object(pk)  # "does not exist" for an unknown or malformed id
        if not contributors_choosable().filter(pk=contributor.pk).exists():
            raise Contributor.DoesNotExist(f"Contributor {contributor.pk} cannot be chosen.")
        return contributor


class ContributorChosenMultipleView(SnippetChosenMultipleViewStrict):
    def get_objects(self, pks):
        return super().get_objects(pks).filter(pk__in=contributors_choosable().values("pk"))


class ContributorChooserViewSet(StrictSnippetChooserViewSet):
    choose_view_class = ContributorChooseView
    choose_results_view_class = ContributorChooseResultsView
    chosen_view_class = ContributorChosenView
    chosen_multiple_view_class = ContributorChosenMultipleView


class ContributorViewSet(SnippetViewSet):
    model = Contributor
    icon = "user"
    menu_label = "Contributors"
    index_view_class = views.ContributorIndexView
    add_view_class = views.ContributorCreateView
    edit_view_class = views.ContributorEditView
    inspect_view_class = views.ContributorInspectView
    chooser_viewset_class = ContributorChooserViewSet
    list_display = [
        "name",
        Column("credit", label="Credited as", accessor="get_credit_preference_display"),
        views.status_column(sort_key="status"),
        DateColumn("consent_review_on", label="Review consent by", sort_key="consent_review_on"),
        Column("due", label="Review due", accessor=views.review_due_text),
        "organisation",
    ]
    list_filter = ["status", "credit_preference"]
    search_fields = ["name", "organisation"]
    search_backend_name = None
    ordering = ["name"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "name",
        "credit_preference",
        "organisation",
        "consent_scope",
        "consent_given_on",
        "consent_review_on",
        "consent_recorded_by",
        "status",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawn_reason",
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(withdraw_url_name=self.get_url_name("withdraw"), **kwargs)

    @property
    def withdraw_view(self):
        return self.construct_view(views.ContributorWithdrawView)

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("withdraw/<str:pk>/", self.withdraw_view, name="withdraw")]


class LearningContentViewSetGroup(SnippetViewSetGroup):
    items = (TopicViewSet, ContentNoteViewSet, ContributorViewSet)
    menu_label = "Learning content"
    menu_icon = "folder-open-inverse"
    menu_order = 250  # after Pages (200), before Images (300)
