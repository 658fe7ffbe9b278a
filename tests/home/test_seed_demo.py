"""seed_demo builds a usable demo and can run again without changing anything.

The demo videos are made tiny and silent here (``--video-size``/``--no-audio``): their length, and so their
captions, are the real ones; tests/lms/test_demo_content.py checks the content itself in detail.
"""

import datetime
import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone
from wagtail.models import Page

from home.models import HomePage
from lms.models import (
    Assignment,
    Completion,
    CompletionMethod,
    ManagerScope,
    ModulePage,
    Progress,
    SeriesPage,
    StaffProfile,
)
from lms.services.demo import DEMO_PASSWORD, SYNTHETIC_STAFF, demo_districts
from lms.services.rollups import rollup_differences
from media_pipeline.models import Video

pytestmark = pytest.mark.django_db

FAST_VIDEOS = ["--video-size", "96x54@5", "--no-audio"]


def seed() -> dict:
    out = StringIO()
    call_command("seed_demo", *FAST_VIDEOS, stdout=out)
    return json.loads(out.getvalue())


def created(summary: dict) -> dict:
    return {kind: counts["created"] for kind, counts in summary["counts"].items()}


def test_seed_demo_creates_people_per_role_content_and_activity(client):
    summary = seed()

    usernames = {login["username"] for login in summary["logins"]}
    assert {
        "learner",
        "volunteer",
        "editor",
        "site.manager",
        "district.manager",
        "group.manager",
        "national",
    } <= usernames
    assert summary["organisation"]["active_jobcentres"] == 636
    synthetic = StaffProfile.objects.filter(user__username__startswith="staff")
    assert synthetic.count() == SYNTHETIC_STAFF
    assert synthetic.values("jobcentre__district").distinct().count() == 3
    assert not any(profile.user.has_usable_password() for profile in synthetic.select_related("user")[:5])
    # django-axes wants the request when it checks a password.
    assert client.login(request=RequestFactory().post("/"), username="learner", password=DEMO_PASSWORD)
    # A site manager reports on their own site.
    scope = ManagerScope.objects.get(user__username="site.manager")
    assert (
        scope.level == "site" and scope.jobcentre == StaffProfile.objects.get(user__username="site.manager").jobcentre
    )

    # The learning content, live and marked as demonstration content.
    assert summary["learning"]["index"] == "/learning/"
    assert len(summary["learning"]["items"]) == 12
    counts = created(summary)
    assert (counts["pages"], counts["videos"], counts["documents"], counts["assignments"]) == (14, 12, 2, 3)
    demo_pages = Page.objects.live().descendant_of(HomePage.objects.get()).specific()
    assert demo_pages.count() == 14
    assert all(page.is_demo for page in demo_pages if hasattr(page, "is_demo"))
    assert set(Video.objects.values_list("status", flat=True)) == {"ready"}
    assert client.get("/learning/working-with-multiple-complex-needs/building-trust/").status_code == 200

    # Assignments: the series for everyone in 30 days, a film for one demo district.
    series = SeriesPage.objects.get()
    national = Assignment.objects.get(item=series)
    assert (national.level, national.due_on) == ("national", timezone.localdate() + datetime.timedelta(days=30))
    assert Assignment.objects.get(level="district").district == demo_districts()[0]

    # Activity for the reports: completions across the demo districts and many sites, people part-way through,
    # series completed by finishing every module, and the roll-up in step with it all.
    staff_completions = Completion.objects.filter(user__username__startswith="staff")
    assert counts["completions"] == Completion.objects.count() > 0
    assert staff_completions.values("jobcentre__district").distinct().count() == 3
    assert staff_completions.values("jobcentre").distinct().count() > 10
    assert staff_completions.filter(method=CompletionMethod.SERIES).exists()
    assert staff_completions.filter(method=CompletionMethod.ATTENDED_LIVE).exists()
    completed = set(Completion.objects.values_list("user_id", "item_id"))
    in_progress = [p for p in Progress.objects.all() if (p.user_id, p.item_id) not in completed]
    assert in_progress and all(0 < p.watched_seconds < p.duration for p in in_progress)
    assert rollup_differences() == 0
    # The demo learner has finished the first module and is part-way through the second.
    learner = get_user_model().objects.get(username="learner")
    first, second = ModulePage.objects.child_of(series).order_by("path")[:2]
    assert Completion.objects.filter(user=learner, item=first).exists()
    assert Progress.objects.get(user=learner, item=second).percent == 40


def test_seed_demo_is_idempotent():
    first = seed()
    models = (get_user_model(), StaffProfile, ManagerScope, Page, Video, Assignment, Completion, Progress)
    counts = [model.objects.count() for model in models]

    second = seed()

    assert [model.objects.count() for model in models] == counts
    assert HomePage.objects.count() == 1
    assert second["home_page"] == first["home_page"]
    assert second["synthetic_staff_created"] == 0
    assert second["learning"] == first["learning"]
    assert set(created(second).values()) == {0}
    assert {kind: c["kept"] for kind, c in second["counts"].items()} == created(first)
