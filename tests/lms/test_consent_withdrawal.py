"""Withdrawing a contributor's consent: every page featuring them goes offline at once, their media is erased,
editors are told, the audit log records it, and they cannot be put back on a page."""

import pytest
from django.core import mail
from wagtail.models import ModelLogEntry, PageLogEntry, Revision

from lms import roles
from lms.models import Contributor, ContributorStatus, HumanLibraryFilmPage, ModulePage, WebinarPage
from lms.selectors.contributors import contributor_withdrawal_plan
from lms.services.contributors import AlreadyWithdrawn, contributor_withdraw
from lms.services.publishing import PublishBlocked
from media_pipeline import keys
from media_pipeline.models import Video
from media_pipeline.storage import object_exists, object_put
from tests.lms import factories
from tests.lms.authoring import edit_url, messages_of, module_form_data

pytestmark = pytest.mark.django_db

WITHDRAW = "/admin/snippets/lms/contributor/withdraw/{}/"


@pytest.fixture
def index(home_page):
    return factories.learning_index(home_page)


@pytest.fixture
def sam():
    return factories.contributor(name="Sam Jones")


@pytest.fixture
def content_editor(make_user):
    return make_user("edna", roles.EDITOR, email="edna@example.gov.uk")


@pytest.fixture
def scene(index, sam):
    """Sam tells a film, presents a webinar, co-produced a module; another module and film do not feature Sam."""
    series = factories.series(index, title="Working together")
    film = factories.film(index, title="Sam's story", storyteller=sam)
    webinar = factories.webinar(index, title="Autumn webinar", video=factories.ready_video(title="Webinar recording"))
    webinar.presenters.add(sam)
    webinar.save_revision().publish()
    module = factories.module(series, title="Housing first")
    module.contributors.add(sam)
    module.save_revision().publish()
    other = factories.module(series, title="Benefits basics")
    other_film = factories.film(index, title="Alex's story", storyteller=factories.contributor(name="Alex Smith"))
    return {"film": film, "webinar": webinar, "module": module, "other": other, "other_film": other_film}


def store_objects(video: Video, folder) -> list[str]:
    """Put a rendition and a poster in storage for the video, as processing would have."""
    stored = []
    for key in (keys.rendition_key(video.pk, "720p"), keys.poster_key(video.pk)):
        path = folder / f"{video.pk}-{len(stored)}"
        path.write_bytes(b"bytes of " + key.encode())
        object_put(key=key, path=path, content_type="application/octet-stream")
        stored.append(key)
    return stored


def test_the_plan_lists_every_page_featuring_them_and_their_videos(scene, sam):
    plan = contributor_withdrawal_plan(contributor=sam)

    assert {page.title for page in plan.pages} == {"Sam's story", "Autumn webinar", "Housing first"}
    assert {video.title for video in plan.videos} == {"Sam's story", "Webinar recording", "Housing first"}
    assert plan.shared == {}


def test_a_draft_that_adds_them_counts_as_featuring_them(index, sam):
    page = factories.module(factories.series(index), title="Drafted")
    page.contributors.add(sam)
    page.save_revision()  # a draft: the live row does not list Sam yet
    ModulePage.contributors.through.objects.filter(contributor=sam).delete()

    plan = contributor_withdrawal_plan(contributor=sam)

    assert [p.title for p in plan.pages] == ["Drafted"]


def test_withdrawal_unpublishes_erases_emails_and_audits(
    scene, sam, content_editor, make_user, django_capture_on_commit_callbacks, s3_bucket, tmp_path
):
    make_user("no-email-editor", roles.EDITOR)
    make_user("vol", roles.VOLUNTEER, email="volunteer@example.org")
    videos = [scene[name].video for name in ("film", "webinar", "module")]
    stored = [key for video in videos for key in store_objects(video, tmp_path)]
    kept = store_objects(scene["other"].video, tmp_path)
    assert all(object_exists(key) for key in stored + kept)

    with django_capture_on_commit_callbacks(execute=True):
        result = contributor_withdraw(contributor=sam, user=content_editor, reason="Phoned the co-production lead.")

    # Marked withdrawn: who, when, why.
    sam.refresh_from_db()
    assert sam.status == ContributorStatus.WITHDRAWN
    assert sam.withdrawn_by == content_editor and sam.withdrawn_at is not None
    assert sam.withdrawn_reason == "Phoned the co-production lead."
    # Every featuring page is offline; the others are not.
    for name in ("film", "webinar", "module"):
        page = scene[name].specific_class.objects.get(pk=scene[name].pk)
        assert not page.live, name
        assert PageLogEntry.objects.filter(page=page, action="lms.consent_unpublish").exists()
    assert ModulePage.objects.get(pk=scene["other"].pk).live
    assert HumanLibraryFilmPage.objects.get(pk=scene["other_film"].pk).live
    assert {page.pk for page in result.unpublished} == {scene[n].pk for n in ("film", "webinar", "module")}
    # Their videos are erased: rows and stored objects (the ImmediateBackend ran erase_video on commit).
    assert not Video.objects.filter(pk__in=[video.pk for video in videos]).exists()
    assert not any(object_exists(key) for key in stored)
    assert Video.objects.filter(pk=scene["other"].video_id).exists()
    assert all(object_exists(key) for key in kept)
    # Editors with an email address are told; volunteers are not.
    [message] = mail.outbox
    assert message.to == ["edna@example.gov.uk"]
    assert "Sam Jones has withdrawn their consent" in message.body
    assert "Housing first" in message.body and "Phoned the co-production lead." in message.body
    # The audit log has the withdrawal; its reason is kept in the entry's data, not shown in the site history.
    entry = ModelLogEntry.objects.get(action="lms.consent_withdraw")
    assert entry.object_id == str(sam.pk) and entry.user == content_editor
    assert entry.data["reason"] == "Phoned the co-production lead." and "Phoned" not in entry.message
    assert entry.label == "Withdrawn contributor"
    assert {page["title"] for page in entry.data["pages"]} == {"Sam's story", "Autumn webinar", "Housing first"}


def test_no_revision_still_names_them_or_their_videos(scene, sam, content_editor, django_capture_on_commit_callbacks):
    old_module_revision = scene["module"].get_latest_revision()
    erased = {str(scene[name].video_id) for name in ("film", "webinar", "module")}

    with django_capture_on_commit_callbacks(execute=True):
        result = contributor_withdraw(contributor=sam, user=content_editor, reason="Asked by email.")

    assert result.scrubbed_revisions >= 3
    for revision in Revision.page_revisions.all():
        assert sam.pk not in (revision.content.get("contributors") or []), revision
        assert sam.pk not in (revision.content.get("presenters") or []), revision
        assert str(revision.content.get("video")) not in erased, revision
    # Reverting to an old version cannot bring them back, and a module without its video cannot go live.
    old_module_revision.refresh_from_db()
    with pytest.raises(PublishBlocked):
        old_module_revision.publish()
    assert not ModulePage.objects.get(pk=scene["module"].pk).contributors.filter(pk=sam.pk).exists()
    assert not WebinarPage.objects.get(pk=scene["webinar"].pk).presenters.filter(pk=sam.pk).exists()


def test_a_film_whose_storyteller_withdrew_can_never_be_published_again(scene, sam, content_editor):
    contributor_withdraw(contributor=sam, user=content_editor, reason="Asked by email.")
    film = HumanLibraryFilmPage.objects.get(pk=scene["film"].pk)
    film.video = factories.ready_video(title="Another cut")

    with pytest.raises(PublishBlocked) as refused:
        film.save_revision().publish()

    assert "Sam Jones has withdrawn their consent" in " ".join(refused.value.problems)


def test_withdrawn_contributors_cannot_be_chosen_again(client, scene, sam, content_editor, editor):
    contributor_withdraw(contributor=sam, user=content_editor, reason="Asked by email.")
    page = scene["other"]
    client.force_login(editor)

    response = client.post(
        edit_url(page), module_form_data(title="Benefits basics", video=page.video, contributors=[sam])
    )

    assert response.status_code == 200
    assert "contributors" in response.context["form"].errors
    assert not ModulePage.objects.get(pk=page.pk).contributors.exists()
    chooser = client.get("/admin/snippets/choose/lms/contributor/")
    assert "Sam Jones" not in chooser.json()["html"] and "Alex Smith" in chooser.json()["html"]
    editor_form = client.get(edit_url(page))
    assert "Sam Jones" not in editor_form.content.decode()


def test_a_shared_video_is_named_on_the_confirmation_page_and_its_other_page_goes_offline_too(
    client, index, sam, content_editor, django_capture_on_commit_callbacks
):
    series = factories.series(index)
    featuring = factories.module(series, title="Housing first")
    featuring.contributors.add(sam)
    featuring.save_revision().publish()
    reusing = factories.module(series, title="Recap", video=featuring.video)
    client.force_login(content_editor)

    page = client.get(WITHDRAW.format(sam.pk)).content.decode()

    assert "also used by 1 page that does not list Sam Jones" in " ".join(page.split())
    assert "Recap" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(WITHDRAW.format(sam.pk), {"reason": "Asked in person.", "confirm": "on"}, follow=True)

    assert response.status_code == 200
    assert any("consent is withdrawn. 2 pages taken offline; 1 video being erased" in m for m in messages_of(response))
    assert not ModulePage.objects.get(pk=reusing.pk).live
    assert ModulePage.objects.get(pk=reusing.pk).video is None


def test_the_confirmation_page_lists_pages_and_videos_and_requires_a_reason(client, scene, sam, content_editor):
    client.force_login(content_editor)

    page = client.get(WITHDRAW.format(sam.pk))
    text = page.content.decode()
    for title in ("Sam&#x27;s story", "Autumn webinar", "Housing first", "Webinar recording"):
        assert title in text
    assert "Benefits basics" not in text

    refused = client.post(WITHDRAW.format(sam.pk), {"reason": "   ", "confirm": "on"})
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"] == ["Enter the reason consent is being withdrawn."]
    assert Contributor.objects.get(pk=sam.pk).status == ContributorStatus.ACTIVE
    assert ModulePage.objects.get(pk=scene["module"].pk).live


def test_volunteers_cannot_withdraw_consent(client, scene, sam, volunteer):
    client.force_login(volunteer)

    assert client.get(WITHDRAW.format(sam.pk)).status_code in (302, 403)
    response = client.post(WITHDRAW.format(sam.pk), {"reason": "x", "confirm": "on"})

    assert response.status_code in (302, 403)
    assert Contributor.objects.get(pk=sam.pk).status == ContributorStatus.ACTIVE


def test_the_structured_audit_log_records_ids_but_not_the_name(sam, scene, content_editor, caplog):
    with caplog.at_level("INFO", logger="jcp.audit"):
        contributor_withdraw(contributor=sam, user=content_editor, reason="Asked by phone.")

    [record] = [r for r in caplog.records if r.getMessage() == "consent.withdrawn"]
    assert record.audit["contributor_id"] == sam.pk and record.audit["user_id"] == content_editor.pk
    assert sorted(record.audit["pages_unpublished"]) == sorted(scene[n].pk for n in ("film", "webinar", "module"))
    assert "Sam" not in str(record.audit)


def test_withdrawing_twice_is_refused(sam, content_editor):
    contributor_withdraw(contributor=sam, user=content_editor, reason="First time.")

    with pytest.raises(AlreadyWithdrawn):
        contributor_withdraw(contributor=sam, user=content_editor, reason="Second time.")


def test_the_withdrawal_shows_in_the_contributors_history_and_site_history(client, sam, content_editor):
    contributor_withdraw(contributor=sam, user=content_editor, reason="Asked by letter.")
    client.force_login(content_editor)

    history = client.get(f"/admin/snippets/lms/contributor/history/{sam.pk}/").content.decode()
    site_history = client.get("/admin/reports/site-history/").content.decode()

    assert "Consent withdrawn – 0 page(s) unpublished" in history
    assert "Withdraw consent" in site_history or "Consent withdrawn" in site_history
