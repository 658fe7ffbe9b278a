"""The learning page types: where each may go, creating each through the admin form, and rendering."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from home.models import HomePage
from lms import roles
from lms.models import HumanLibraryFilmPage, LearningIndexPage, ModulePage, SeriesPage, WebinarPage
from tests.lms import factories
from tests.lms.authoring import (
    film_form_data,
    index_form_data,
    module_form_data,
    series_form_data,
    webinar_form_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sign_in_through_the_model_backend(monkeypatch):
    # WagtailPageTestCase signs users in with the first backend, which is django-axes' lockout check (it cannot
    # load a user); the model backend is the one that signs people in.
    monkeypatch.setattr("wagtail.test.utils.page_tests.AUTH_BACKEND", "django.contrib.auth.backends.ModelBackend")


class LearningPageTypesTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        from home.services import site_ensure_home_page

        cls.home = site_ensure_home_page()
        users = get_user_model().objects
        cls.editor = users.create_user("edna", password="correct-horse-battery")
        cls.editor.groups.add(Group.objects.get(name=roles.EDITOR))
        cls.learner = users.create_user("lee", password="correct-horse-battery")
        cls.learner.groups.add(Group.objects.get(name=roles.LEARNER))

    def setUp(self):
        self.client.force_login(self.editor)

    # --- where each page may go -------------------------------------------------------------------------------

    def test_allowed_parents(self):
        self.assertAllowedParentPageTypes(LearningIndexPage, {HomePage})
        self.assertAllowedParentPageTypes(SeriesPage, {LearningIndexPage})
        self.assertAllowedParentPageTypes(ModulePage, {SeriesPage})
        self.assertAllowedParentPageTypes(HumanLibraryFilmPage, {LearningIndexPage})
        self.assertAllowedParentPageTypes(WebinarPage, {LearningIndexPage})

    def test_allowed_children(self):
        self.assertAllowedSubpageTypes(LearningIndexPage, {SeriesPage, HumanLibraryFilmPage, WebinarPage})
        self.assertAllowedSubpageTypes(SeriesPage, {ModulePage})
        self.assertAllowedSubpageTypes(ModulePage, set())
        self.assertAllowedSubpageTypes(HumanLibraryFilmPage, set())
        self.assertAllowedSubpageTypes(WebinarPage, set())

    def test_a_module_cannot_go_straight_under_the_index(self):
        self.assertCanNotCreateAt(LearningIndexPage, ModulePage)
        self.assertCanNotCreateAt(Page, SeriesPage)

    # --- creating each through the admin form (and publishing it) ---------------------------------------------

    def test_create_the_learning_index(self):
        self.assertCanCreate(self.home, LearningIndexPage, index_form_data())

    def test_create_a_series_and_a_module_in_it(self):
        index = factories.learning_index(self.home)
        self.assertCanCreate(index, SeriesPage, series_form_data())
        series = SeriesPage.objects.get(slug="working-together")
        topic = _topic()
        self.assertCanCreate(
            series,
            ModulePage,
            module_form_data(video=factories.ready_video(), contributors=[factories.contributor()], topics=[topic]),
        )
        module = ModulePage.objects.get(slug="working-with-trauma")
        assert module.live and module.topics.get() == topic and module.contributors.count() == 1
        assert module.learning_outcomes[0].value == "explain what trauma-informed means"

    def test_create_a_human_library_film(self):
        from lms.models import ContentNote

        note = ContentNote.objects.create(name="Self-harm")
        self.assertCanCreate(
            factories.learning_index(self.home),
            HumanLibraryFilmPage,
            film_form_data(storyteller=factories.contributor(), video=factories.ready_video(), notes=[note]),
        )
        assert HumanLibraryFilmPage.objects.get(slug="sams-story").content_notes.get() == note

    def test_create_a_webinar_before_its_recording_exists(self):
        self.assertCanCreate(
            factories.learning_index(self.home), WebinarPage, webinar_form_data(presenters=[factories.contributor()])
        )
        webinar = WebinarPage.objects.get(slug="autumn-webinar")
        assert webinar.live and webinar.video is None and webinar.presenters.count() == 1

    # --- rendering --------------------------------------------------------------------------------------------

    def test_each_page_renders_for_a_signed_in_learner(self):
        index = factories.learning_index(self.home)
        series = factories.series(index)
        for page in (
            index,
            series,
            factories.module(series),
            factories.film(index),
            factories.webinar(index),
        ):
            self.assertPageIsRenderable(page, user=self.learner)

    def test_each_page_is_editable_by_an_editor(self):
        # StreamField inputs are drawn by JavaScript, so each page's form data is given rather than scraped.
        index = factories.learning_index(self.home)
        series = factories.series(index)
        module = factories.module(series)
        film = factories.film(index)
        webinar = factories.webinar(index)
        self.assertPageIsEditable(series, series_form_data(title=series.title, slug=series.slug), user=self.editor)
        self.assertPageIsEditable(
            module, module_form_data(title=module.title, slug=module.slug, video=module.video), user=self.editor
        )
        self.assertPageIsEditable(
            film, film_form_data(title=film.title, storyteller=film.storyteller, video=film.video), user=self.editor
        )
        self.assertPageIsEditable(webinar, webinar_form_data(title=webinar.title), user=self.editor)


def _topic():
    from lms.models import Topic

    return Topic.objects.create(name="Homelessness", slug="homelessness")
