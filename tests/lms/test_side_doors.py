"""Side doors into the Wagtail admin: what a volunteer, a learner or a signed-out visitor must not reach by URL.

Volunteers add and change pages across the whole tree (co-production), so what is tested here is what they must
NOT do: publish, unpublish, delete or move what is not their own draft, approve or reject review tasks, lock or
unlock, reach reports, users, groups, sites, collections, redirects or workflows, record or withdraw consent, and
edit or delete an editor's documents and images. Learners have no admin access at all.

The URL lists follow the shape of Wagtail's 2023–2026 advisories: views reached by typing their URL (settings and
ModelViewSet edit views, bulk actions that disclosed user names), admin API actions (publish, copy for
translation), preview endpoints, and choosers. Each case asserts the status AND that nothing changed or leaked.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Collection, Page, PageViewRestriction, TaskState, WorkflowState

from lms.models import Contributor
from lms.services.contributors import contributor_withdraw
from media_pipeline.models import Video
from tests.lms import factories
from tests.media_pipeline.clips import write_png

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
DENIED_MESSAGE = "Sorry, you do not have permission to access this area."


@pytest.fixture
def scene(home_page, volunteer, editor, tmp_path):
    """Live and draft learning pages by an editor, a volunteer's own draft, a page in review, a page the editor
    locked, an editor's document and image, a contributor, a video."""
    index = factories.learning_index(home_page)
    series = factories.series(index, title="Working together")
    live = factories.module(series, title="Housing first")
    editors_draft = factories.module(series, title="Editor's draft", live=False)
    own_draft = factories.module(series, title="Volunteer's draft", live=False)
    in_review = factories.module(series, title="In review", live=False)
    locked = factories.module(series, title="Locked by the editor")
    other_series = factories.series(index, title="Another series", live=False)
    for page, owner in ((live, editor), (editors_draft, editor), (own_draft, volunteer), (in_review, volunteer)):
        Page.objects.filter(pk=page.pk).update(owner=owner)
    Page.objects.filter(pk=locked.pk).update(owner=editor, locked=True, locked_by=editor)
    in_review.refresh_from_db()
    in_review.get_workflow().start(in_review, volunteer)
    document = Document.objects.create(
        title="Editor's handout",
        file=ContentFile(b"%PDF-1.4 handout", name="handout.pdf"),
        uploaded_by_user=editor,
        collection=Collection.get_first_root_node(),
    )
    image = Image.objects.create(
        title="Editor's picture",
        file=ContentFile(write_png(tmp_path / "picture.png").read_bytes(), name="picture.png"),
        uploaded_by_user=editor,
        collection=Collection.get_first_root_node(),
    )
    return {
        "index": index,
        "series": series,
        "live": live,
        "editors_draft": editors_draft,
        "own_draft": own_draft,
        "in_review": in_review,
        "locked": locked,
        "other_series": other_series,
        "task_state": WorkflowState.objects.for_instance(in_review).get().current_task_state,
        "document": document,
        "image": image,
        "contributor": factories.contributor(name="Sam Jones"),
        "video": factories.ready_video(title="A film"),
        "revision": live.latest_revision,
        "editor": editor,
    }


def _is_denied(response) -> bool:
    """403, or Wagtail's "no permission" redirect to the dashboard (not a sign-in page, not a success)."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def _ids(scene) -> dict:
    ids = {name: getattr(value, "pk", value) for name, value in scene.items()}
    ids.update(revision=scene["revision"].pk, task=scene["task_state"].task_id)
    return ids


def _snapshot(scene) -> dict:
    """Everything a side door could change."""
    pages = {
        page.pk: (page.live, page.path, page.locked, page.locked_by_id, page.title)
        for page in Page.objects.filter(depth__gt=1)
    }
    return {
        "pages": pages,
        "restrictions": PageViewRestriction.objects.count(),
        "task_state": TaskState.objects.get(pk=scene["task_state"].pk).status,
        "contributor": Contributor.objects.filter(pk=scene["contributor"].pk).values_list("name", "status").get(),
        "documents": list(Document.objects.values_list("pk", "title")),
        "images": list(Image.objects.values_list("pk", "title")),
        "users": list(get_user_model().objects.values_list("pk", "username", "is_active")),
        "groups": sorted(Group.objects.values_list("name", flat=True)),
        "videos": list(Video.objects.values_list("pk", flat=True)),
    }


# --- A volunteer -------------------------------------------------------------------------------------------------

VOLUNTEER_DENIED_PAGES = [
    "/admin/pages/{live}/delete/",
    "/admin/pages/{editors_draft}/delete/",  # someone else's draft: Wagtail alone would allow it (see lms/page_permissions.py)
    "/admin/pages/{live}/unpublish/",
    "/admin/pages/{live}/privacy/",
    "/admin/pages/{live}/move/",
    "/admin/pages/{editors_draft}/move/",
    "/admin/pages/workflow/preview/{in_review}/{task}/",
    "/admin/pages/workflow/collect_action_data/{in_review}/approve/{task_state}/",
    "/admin/pages/workflow/collect_action_data/{in_review}/reject/{task_state}/",
    "/admin/reports/locked/",
    "/admin/users/",
    "/admin/users/new/",
    "/admin/users/edit/{editor}/",
    "/admin/users/history/{editor}/",
    "/admin/bulk/auth/user/delete/?id={editor}",
    "/admin/bulk/auth/user/set_active_state/?id={editor}",
    "/admin/bulk/auth/user/assign_role/?id={editor}",
    "/admin/groups/",
    "/admin/groups/new/",
    "/admin/sites/",
    "/admin/collections/",
    "/admin/redirects/",
    "/admin/workflows/list/",
    "/admin/workflows/add/",
    "/admin/workflows/tasks/index/",
    "/admin/learning/consent-reviews/",
    "/admin/snippets/lms/contributor/add/",
    "/admin/snippets/lms/contributor/edit/{contributor}/",
    "/admin/snippets/lms/contributor/withdraw/{contributor}/",
    "/admin/snippets/lms/contributor/history/{contributor}/",
    "/admin/snippets/lms/topic/add/",
    "/admin/snippets/lms/contentnote/add/",
    "/admin/videos/delete/{video}/",
    "/admin/documents/edit/{document}/",
    "/admin/documents/delete/{document}/",
    "/admin/images/{image}/",
    "/admin/images/{image}/delete/",
]


@pytest.mark.parametrize("url", VOLUNTEER_DENIED_PAGES)
def test_a_volunteer_is_refused_by_url(client, scene, volunteer, url):
    client.force_login(volunteer, backend=MODEL_BACKEND)

    response = client.get(url.format(**_ids(scene)), follow=True)

    assert response.redirect_chain == [("/admin/", 302)] or response.status_code == 403, url
    if response.redirect_chain:  # Wagtail's refusal: back to the dashboard, told why, shown nothing of the target
        assert DENIED_MESSAGE in response.content.decode()


# (url, data) posted straight at the action, as a forged form or script would.
VOLUNTEER_REFUSED_ACTIONS = [
    ("/admin/pages/{live}/delete/", {}),
    ("/admin/pages/{editors_draft}/delete/", {}),
    ("/admin/pages/{live}/unpublish/", {}),
    ("/admin/pages/{live}/move/{other_series}/confirm/", {}),
    ("/admin/pages/{editors_draft}/move/{other_series}/confirm/", {}),
    ("/admin/pages/{live}/lock/", {}),
    ("/admin/pages/{locked}/unlock/", {}),
    ("/admin/pages/{live}/privacy/", {"restriction_type": "password", "password": "letmein"}),
    ("/admin/pages/{live}/set_position/?position=0", {}),
    ("/admin/pages/workflow/action/{in_review}/approve/{task_state}/", {"comment": "Looks good to me"}),
    ("/admin/pages/workflow/action/{in_review}/reject/{task_state}/", {"comment": "No"}),
    ("/admin/bulk/wagtailcore/page/delete/?id={live}&id={editors_draft}", {}),
    ("/admin/bulk/wagtailcore/page/unpublish/?id={live}", {"include_descendants": ""}),
    ("/admin/bulk/wagtailcore/page/move/?id={editors_draft}", {"chooser": "{other_series}"}),
    ("/admin/bulk/wagtaildocs/document/delete/?id={document}", {}),
    ("/admin/bulk/wagtailimages/image/delete/?id={image}", {}),
    ("/admin/bulk/auth/user/delete/?id={editor}", {}),
    ("/admin/bulk/auth/user/set_active_state/?id={editor}", {"mark_as_active": ""}),
    (
        "/admin/users/new/",
        {"username": "intruder", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"},
    ),
    ("/admin/groups/new/", {"name": "Intruders"}),
    ("/admin/snippets/lms/contributor/edit/{contributor}/", {"name": "Renamed"}),
    ("/admin/snippets/lms/contributor/withdraw/{contributor}/", {"reason": "Because I can", "confirm": "on"}),
    ("/admin/documents/edit/{document}/", {"title": "Replaced handout"}),
    ("/admin/documents/delete/{document}/", {}),
    ("/admin/images/{image}/", {"title": "Replaced picture"}),
    ("/admin/images/{image}/delete/", {}),
    ("/admin/videos/delete/{video}/", {}),
]


@pytest.mark.parametrize(("url", "data"), VOLUNTEER_REFUSED_ACTIONS)
def test_a_forged_post_from_a_volunteer_changes_nothing(client, scene, volunteer, url, data):
    ids = _ids(scene)
    client.force_login(volunteer, backend=MODEL_BACKEND)
    before = _snapshot(scene)

    response = client.post(url.format(**ids), {k: v.format(**ids) for k, v in data.items()})

    assert response.status_code in (200, 302, 403, 405), url  # never a server error
    if response.status_code == 302:
        assert response["Location"] == "/admin/" or not response["Location"].startswith("/admin/login/")
    assert _snapshot(scene) == before, url


ADMIN_API_REFUSED = [
    ("{editors_draft}", "publish", {}),
    ("{live}", "unpublish", {}),
    ("{live}", "delete", {}),
    ("{editors_draft}", "delete", {}),
    ("{live}", "move", {"destination_page_id": "{other_series}"}),
    ("{editors_draft}", "move", {"destination_page_id": "{other_series}"}),
    ("{live}", "copy_for_translation", {"locale": "cy"}),
]


@pytest.mark.parametrize(("page", "action", "data"), ADMIN_API_REFUSED)
def test_the_admin_api_refuses_a_volunteers_page_actions(client, scene, volunteer, page, action, data):
    ids = _ids(scene)
    client.force_login(volunteer, backend=MODEL_BACKEND)
    before = _snapshot(scene)

    response = client.post(
        f"/admin/api/main/pages/{page.format(**ids)}/action/{action}/",
        {key: value.format(**ids) for key, value in data.items()},
        content_type="application/json",
    )

    assert response.status_code in (400, 403, 404), (action, response.status_code)
    assert _snapshot(scene) == before


def test_volunteers_delete_and_move_only_their_own_drafts(client, scene, volunteer, editor):
    assert not scene["editors_draft"].permissions_for_user(volunteer).can_delete()
    assert not scene["editors_draft"].permissions_for_user(volunteer).can_move()
    assert not scene["live"].permissions_for_user(volunteer).can_delete()
    assert scene["own_draft"].permissions_for_user(volunteer).can_move_to(scene["other_series"])
    assert scene["editors_draft"].permissions_for_user(editor).can_delete()  # editors keep Wagtail's rules
    client.force_login(volunteer, backend=MODEL_BACKEND)

    response = client.post(f"/admin/pages/{scene['own_draft'].pk}/delete/")

    assert response.status_code == 302
    assert not Page.objects.filter(pk=scene["own_draft"].pk).exists()


def test_volunteers_still_do_what_co_production_needs(client, scene, volunteer):
    """The refusals above are not a blanket ban: a volunteer edits anyone's draft, reads history, compares and
    copies (a copy is a draft they can then change)."""
    ids = _ids(scene)
    client.force_login(volunteer, backend=MODEL_BACKEND)

    for url in (
        "/admin/pages/{editors_draft}/edit/",
        "/admin/pages/{live}/history/",
        "/admin/pages/{live}/revisions/compare/earliest...{revision}/",
        "/admin/pages/{live}/copy/",
        "/admin/reports/site-history/",
    ):
        assert client.get(url.format(**ids)).status_code == 200, url


def test_a_withdrawn_contributor_is_invisible_to_volunteers_everywhere(client, scene, volunteer, editor):
    sam = scene["contributor"]
    contributor_withdraw(contributor=sam, user=editor, reason="Phoned the co-production lead (ref Q7ZX)")
    client.force_login(volunteer, backend=MODEL_BACKEND)

    for url in (
        "/admin/snippets/lms/contributor/",
        "/admin/snippets/lms/contributor/?status=withdrawn",
        "/admin/snippets/choose/lms/contributor/",
        "/admin/reports/site-history/",
        "/admin/reports/site-history/results/",
    ):
        body = client.get(url).content.decode()
        assert "Sam Jones" not in body and "Q7ZX" not in body, url
    assert client.get(f"/admin/snippets/lms/contributor/inspect/{sam.pk}/").status_code == 404
    assert client.get(f"/admin/snippets/choose/lms/contributor/chosen/{sam.pk}/").status_code == 404
    multiple = client.get(f"/admin/snippets/choose/lms/contributor/chosen-multiple/?id={sam.pk}")
    assert "Sam Jones" not in multiple.content.decode()

    client.force_login(editor, backend=MODEL_BACKEND)  # the record stays, for editors
    assert "Sam Jones" in client.get("/admin/snippets/lms/contributor/").content.decode()
    assert "Q7ZX" in client.get(f"/admin/snippets/lms/contributor/inspect/{sam.pk}/").content.decode()


def test_choosers_answer_404_for_what_cannot_be_chosen(client, scene, volunteer):
    client.force_login(volunteer, backend=MODEL_BACKEND)
    sam = scene["contributor"]

    assert client.get("/admin/video_chooser/chosen/00000000-0000-4000-8000-000000000000/").status_code == 404
    assert client.get("/admin/video_chooser/chosen/not-a-uuid/").status_code == 404
    assert client.get(f"/admin/video_chooser/chosen/{scene['video'].pk}/").status_code == 200
    assert client.get("/admin/snippets/choose/lms/contributor/chosen/999999/").status_code == 404
    assert client.get(f"/admin/snippets/choose/lms/contributor/chosen/{sam.pk}/").status_code == 200
    # An id that cannot even be a key is "not found", not a server error.
    for url in (
        "/admin/snippets/choose/lms/contributor/chosen/abc/",
        "/admin/snippets/choose/lms/topic/chosen/abc/",
        "/admin/snippets/choose/lms/contentnote/chosen/1%20OR%201=1/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/admin/video_chooser/chosen-multiple/?id=abc&id={scene['video'].pk}",
        f"/admin/snippets/choose/lms/contributor/chosen-multiple/?id=abc&id={sam.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 200 and len(response.json()["result"]) == 1, url


# --- Learners and signed-out visitors: no admin at all ------------------------------------------------------------

EVERY_ADMIN_DOOR = [
    "/admin/",
    "/admin/pages/",
    "/admin/pages/{live}/edit/",
    "/admin/pages/{live}/edit/preview/",
    "/admin/pages/{live}/revisions/",
    "/admin/pages/{live}/revisions/compare/earliest...{revision}/",
    "/admin/pages/{live}/history/",
    "/admin/pages/{live}/copy/",
    "/admin/pages/{live}/move/",
    "/admin/pages/{live}/delete/",
    "/admin/pages/{live}/unpublish/",
    "/admin/pages/add/lms/modulepage/{series}/",
    "/admin/pages/search/?q=housing",
    "/admin/choose-page/",
    "/admin/api/main/pages/",
    "/admin/api/main/pages/{live}/",
    "/admin/api/main/documents/",
    "/admin/api/main/images/",
    "/admin/reports/site-history/",
    "/admin/reports/aging-pages/",
    "/admin/reports/workflow/",
    "/admin/users/",
    "/admin/groups/",
    "/admin/documents/",
    "/admin/documents/edit/{document}/",
    "/admin/images/",
    "/admin/videos/",
    "/admin/videos/edit/{video}/",
    "/admin/video_chooser/",
    "/admin/video_chooser/chosen/{video}/",
    "/admin/snippets/lms/contributor/",
    "/admin/snippets/lms/contributor/inspect/{contributor}/",
    "/admin/snippets/choose/lms/contributor/",
    "/admin/learning/consent-reviews/",
    "/admin/bulk/auth/user/delete/?id={editor}",
]


@pytest.mark.parametrize("who", ["learner", "signed out"])
@pytest.mark.parametrize("url", EVERY_ADMIN_DOOR)
def test_learners_and_visitors_are_sent_to_sign_in(client, scene, learner, who, url):
    if who == "learner":
        client.force_login(learner, backend=MODEL_BACKEND)
    url = url.format(**_ids(scene))

    response = client.get(url)

    assert response.status_code == 302, url
    assert response["Location"].startswith("/admin/login/"), (url, response["Location"])
    assert b"Housing first" not in response.content


@pytest.mark.parametrize("who", ["learner", "signed out"])
def test_learners_and_visitors_cannot_post_to_the_admin(client, scene, learner, who):
    ids = _ids(scene)
    if who == "learner":
        client.force_login(learner, backend=MODEL_BACKEND)
    before = _snapshot(scene)

    for url, data in [
        *VOLUNTEER_REFUSED_ACTIONS,
        ("/admin/pages/{live}/edit/preview/", {"title": "Hijacked"}),
        ("/admin/pages/{own_draft}/delete/", {}),
        ("/admin/api/main/pages/{live}/action/unpublish/", {}),
    ]:
        response = client.post(url.format(**ids), {k: v.format(**ids) for k, v in data.items()})
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
    assert _snapshot(scene) == before
