"""Who may play a video: learners only through a live page that uses it, right from the moment it is published."""

import pytest
from wagtail.models import ReferenceIndex

from media_pipeline.selectors import video_viewable_by
from tests.lms import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(home_page):
    return factories.module(factories.series(factories.learning_index(home_page)))


def test_a_learner_may_play_the_video_of_a_live_page_before_the_reference_index_catches_up(module, learner):
    ReferenceIndex.objects.all().delete()  # as if the index-update task had not run yet

    assert video_viewable_by(user=learner, video=module.video)


def test_a_learner_may_not_play_a_video_once_its_page_is_unpublished(module, learner):
    module.unpublish()

    assert not video_viewable_by(user=learner, video=module.video)


def test_a_learner_may_not_play_a_video_no_page_uses(learner):
    assert not video_viewable_by(user=learner, video=factories.ready_video())


def test_an_inactive_or_anonymous_user_may_not_play_anything(module, learner):
    from django.contrib.auth.models import AnonymousUser

    learner.is_active = False
    assert not video_viewable_by(user=learner, video=module.video)
    assert not video_viewable_by(user=AnonymousUser(), video=module.video)
