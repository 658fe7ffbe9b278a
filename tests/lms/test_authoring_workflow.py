"""Co-production review: volunteers draft and submit, editors approve (which publishes) or ask for changes.
Volunteers can never publish, approve, or set the completion threshold – whatever they POST."""

import pytest
from wagtail.models import Page, TaskState, Workflow, WorkflowPage, WorkflowState

from lms.models import CoProductionReviewTask, ModulePage, WebinarPage
from tests.lms import factories
from tests.lms.authoring import add_url, edit_url, module_form_data, webinar_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(home_page):
    return factories.learning_index(home_page)


@pytest.fixture
def series(index):
    return factories.series(index)


def workflow_state(page) -> WorkflowState:
    return WorkflowState.objects.filter(object_id=str(page.pk)).order_by("-created_at").first()


def test_the_co_production_review_covers_every_learning_page(series, index):
    workflow = Workflow.objects.get(name="Co-production review")
    [task] = workflow.tasks
    assert isinstance(task.specific, CoProductionReviewTask)
    assert list(task.specific.groups.values_list("name", flat=True)) == ["Content editor"]
    for page in (index, series, factories.module(series), factories.film(index), factories.webinar(index)):
        assert page.get_workflow() == workflow, page


def test_the_workflow_migration_is_idempotent():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("lms.migrations.0006_coproduction_review")
    migration.workflow_sync(apps, None)
    migration.workflow_sync(apps, None)

    assert Workflow.objects.filter(name="Co-production review").count() == 1
    assert CoProductionReviewTask.objects.count() == 1
    assert WorkflowPage.objects.get(page=Page.get_first_root_node()).workflow.name == "Co-production review"
    assert not Workflow.objects.get(name="Moderators approval").active


def test_a_volunteers_publish_post_only_saves_a_draft(client, volunteer, series):
    page = factories.module(series, title="Draft", live=False)
    client.force_login(volunteer)

    response = client.post(edit_url(page), module_form_data(title="Draft", video=page.video, **{"action-publish": "1"}))

    assert response.status_code == 302
    page.refresh_from_db()
    assert not page.live and page.live_revision is None


def test_a_volunteer_cannot_publish_by_any_other_route(client, volunteer, series):
    page = factories.module(series, title="Draft", live=False)
    client.force_login(volunteer)

    bulk = client.post(f"/admin/bulk/wagtailcore/page/publish/?id={page.pk}", {"include_descendants": ""})
    api = client.post(f"/admin/api/main/pages/{page.pk}/action/publish/", content_type="application/json")

    assert bulk.status_code in (200, 302, 403) and api.status_code == 403
    page.refresh_from_db()
    assert not page.live


def test_volunteer_submits_and_editor_approves_which_publishes(client, volunteer, editor, series):
    client.force_login(volunteer)
    created = client.post(
        add_url(series, ModulePage),
        module_form_data(title="Housing first", video=factories.ready_video(), **{"action-submit": "1"}),
    )
    assert created.status_code == 302
    page = ModulePage.objects.get(slug="housing-first")
    state = workflow_state(page)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS and not page.live
    assert state.requested_by == volunteer

    # The volunteer cannot approve their own page, even by posting straight to the action.
    refused = client.post(
        f"/admin/pages/workflow/action/{page.pk}/approve/{state.current_task_state.pk}/", {"comment": "lgtm"}
    )
    assert (refused.status_code, refused.get("Location")) in ((403, None), (302, "/admin/"))  # "no permission"
    page.refresh_from_db()
    state.refresh_from_db()
    assert not page.live and state.current_task_state.status == TaskState.STATUS_IN_PROGRESS

    client.force_login(editor)
    approved = client.post(
        f"/admin/pages/workflow/action/{page.pk}/approve/{state.current_task_state.pk}/", {"comment": "Lovely."}
    )
    assert approved.status_code == 302
    page.refresh_from_db()
    state.refresh_from_db()
    assert page.live and state.status == WorkflowState.STATUS_APPROVED
    assert TaskState.objects.get(workflow_state=state).comment == "Lovely."


def test_editor_requests_changes_with_a_comment_and_the_volunteer_resubmits(client, volunteer, editor, series):
    page = factories.module(series, title="Housing first", live=False)
    page.get_workflow().start(page, volunteer)
    state = workflow_state(page)
    client.force_login(editor)

    response = client.post(
        f"/admin/pages/workflow/action/{page.pk}/reject/{state.current_task_state.pk}/",
        {"comment": "Please add a learning outcome."},
    )

    assert response.status_code == 302
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert TaskState.objects.get(workflow_state=state).comment == "Please add a learning outcome."

    client.force_login(volunteer)
    resubmitted = client.post(
        edit_url(page), module_form_data(title="Housing first", video=page.video, **{"action-submit": "1"})
    )
    assert resubmitted.status_code == 302
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS


def test_volunteers_draft_every_learning_page_type(client, volunteer, index, series):
    client.force_login(volunteer)

    module = client.post(add_url(series, ModulePage), module_form_data(title="Module draft"))
    webinar = client.post(add_url(index, WebinarPage), webinar_form_data(title="Webinar draft"))
    from tests.lms.authoring import film_form_data

    film = client.post(
        add_url(index, factories.HumanLibraryFilmPage), film_form_data(storyteller=factories.contributor())
    )

    assert module.status_code == webinar.status_code == film.status_code == 302
    assert not ModulePage.objects.get(slug="module-draft").live
    assert not WebinarPage.objects.get(slug="webinar-draft").live


def test_a_forged_threshold_from_a_volunteer_is_ignored(client, volunteer, series):
    client.force_login(volunteer)

    client.post(add_url(series, ModulePage), module_form_data(title="Forged", completion_threshold="50"))
    page = ModulePage.objects.get(slug="forged")
    page.completion_threshold = 75  # an editor chose 75
    page.save_revision()
    client.post(edit_url(page), module_form_data(title="Forged", completion_threshold="50"))

    assert ModulePage.objects.get(slug="forged").get_latest_revision().content["completion_threshold"] == 75
    form_html = client.get(edit_url(page)).content.decode()
    assert 'name="completion_threshold"' not in form_html


def test_editors_set_the_threshold(client, editor, series):
    page = factories.module(series, title="Tuned", live=False)
    client.force_login(editor)

    assert 'name="completion_threshold"' in client.get(edit_url(page)).content.decode()
    client.post(edit_url(page), module_form_data(title="Tuned", video=page.video, completion_threshold="80"))

    page.refresh_from_db()
    assert page.get_latest_revision().content["completion_threshold"] == 80


def test_approving_with_a_ready_video_from_the_dashboard_modal_publishes(client, volunteer, editor, series):
    page = factories.module(series, title="Ready", live=False)
    page.get_workflow().start(page, volunteer)
    state = workflow_state(page)
    client.force_login(editor)

    response = client.post(
        f"/admin/pages/workflow/action/{page.pk}/approve/{state.current_task_state.pk}/",
        {"comment": ""},
        headers={"x-requested-with": "XMLHttpRequest"},
    )

    assert response.json()["step"] == "success"
    page.refresh_from_db()
    assert page.live
