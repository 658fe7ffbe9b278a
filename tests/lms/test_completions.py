"""completion_record: once per learner and item, the site at the time, and the series when its modules are done."""

import pytest

from lms.models import Completion, CompletionMethod
from lms.services.completions import completion_record
from tests.lms import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def series_with_modules(home_page):
    index = factories.learning_index(home_page)
    series = factories.series(index)
    required = [factories.module(series) for _ in range(2)]
    optional = factories.module(series, is_required=False)
    draft = factories.module(series, live=False)
    return series, required, optional, draft


def test_first_completion_is_kept_with_the_site_at_the_time(organisation, make_user, home_page):
    from lms.models import Jobcentre

    first, second = Jobcentre.objects.filter(is_active=True)[:2]
    learner = make_user("amira", jobcentre=first)
    item = factories.module(factories.series(factories.learning_index(home_page)))

    completion, created = completion_record(user=learner, item=item, method=CompletionMethod.WATCHED)
    learner.staff_profile.jobcentre = second
    learner.staff_profile.save()
    again, created_again = completion_record(user=learner, item=item, method=CompletionMethod.ATTENDED_LIVE)

    assert (created, created_again) == (True, False)
    assert again.pk == completion.pk
    assert again.method == CompletionMethod.WATCHED
    assert again.jobcentre == first


def test_series_completes_when_every_live_required_module_does(make_user, series_with_modules):
    series, required, optional, _draft = series_with_modules
    learner = make_user("ben")

    completion_record(user=learner, item=required[0], method=CompletionMethod.WATCHED)
    completion_record(user=learner, item=optional, method=CompletionMethod.WATCHED)
    assert not Completion.objects.filter(user=learner, item_id=series.pk).exists()

    completion_record(user=learner, item=required[1], method=CompletionMethod.WATCHED)
    series_completion = Completion.objects.get(user=learner, item_id=series.pk)
    assert series_completion.method == CompletionMethod.SERIES
    assert Completion.objects.filter(user=learner).count() == 4
