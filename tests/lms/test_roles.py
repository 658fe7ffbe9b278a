"""The roles are Django groups made by a data migration, each with exactly the powers DESIGN.md gives it."""

import pytest
from django.contrib.auth.models import Group
from wagtail.documents import get_document_model
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import policy_registry

from lms import roles

documents_policy = policy_registry.get_by_type(get_document_model())

pytestmark = pytest.mark.django_db


def test_every_role_exists_and_wagtails_starter_groups_are_gone():
    names = set(Group.objects.values_list("name", flat=True))
    assert {role.name for role in roles.ROLES} <= names
    assert not names & set(roles.WAGTAIL_STARTER_GROUPS)


def test_volunteer_drafts_and_submits_but_never_publishes(volunteer, home_page):
    permissions = home_page.permissions_for_user(volunteer)

    assert volunteer.has_perm("wagtailadmin.access_admin")
    assert PagePermissionPolicy().user_has_permission(volunteer, "add")
    assert permissions.can_edit()
    assert not permissions.can_publish()
    assert not PagePermissionPolicy().user_has_permission(volunteer, "publish")
    assert not volunteer.has_perm(roles.VIEW_REPORTS)
    assert not volunteer.has_perm("auth.change_user") and not volunteer.has_perm("auth.add_user")
    assert documents_policy.user_has_permission(volunteer, "add")


def test_volunteer_may_not_delete_someone_elses_document(volunteer, editor):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    handout = Document.objects.create(
        title="Handout", file=ContentFile(b"notes", name="handout.txt"), uploaded_by_user=editor
    )

    assert documents_policy.user_has_permission_for_instance(editor, "delete", handout)
    assert not documents_policy.user_has_permission_for_instance(volunteer, "delete", handout)


def test_editor_can_publish(editor, home_page):
    permissions = home_page.permissions_for_user(editor)

    assert permissions.can_publish()
    assert PagePermissionPolicy().user_has_permission(editor, "publish")
    assert not editor.has_perm(roles.VIEW_REPORTS)
    assert not editor.has_perm("auth.change_user")


@pytest.mark.parametrize("role", roles.MANAGER_ROLES)
def test_managers_may_report_but_not_author(make_user, role, home_page):
    manager = make_user("manager", role)

    assert manager.has_perm(roles.VIEW_REPORTS)
    assert not manager.has_perm("wagtailadmin.access_admin")
    assert not home_page.permissions_for_user(manager).can_edit()


def test_learner_has_no_powers(learner, home_page):
    assert not learner.has_perm("wagtailadmin.access_admin")
    assert not learner.has_perm(roles.VIEW_REPORTS)
    assert not PagePermissionPolicy().user_has_permission(learner, "add")
    assert not Page.get_first_root_node().permissions_for_user(learner).can_edit()


def test_admin_is_open_to_authors_only(client, volunteer, learner):
    client.force_login(volunteer)
    assert client.get("/admin/").status_code == 200

    client.force_login(learner)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_roles_sync_is_idempotent():
    from django.apps import apps

    before = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    roles.roles_sync(apps)
    after = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert before == after


def test_volunteers_upload_videos_and_only_editors_delete_them(volunteer, editor, learner):
    assert volunteer.has_perm("media_pipeline.add_video") and volunteer.has_perm("media_pipeline.change_video")
    assert not volunteer.has_perm("media_pipeline.delete_video")
    assert editor.has_perm("media_pipeline.delete_video")
    assert not learner.has_perm("media_pipeline.add_video")
