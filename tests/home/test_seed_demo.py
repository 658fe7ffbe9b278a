"""seed_demo builds a usable demo and can run again without changing anything."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from home.models import HomePage
from lms.models import ManagerScope, StaffProfile
from lms.services.demo import DEMO_PASSWORD, SYNTHETIC_STAFF

pytestmark = pytest.mark.django_db


def seed() -> dict:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return json.loads(out.getvalue())


def test_seed_demo_creates_people_per_role_and_synthetic_staff(client):
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
    assert client.login(username="learner", password=DEMO_PASSWORD)


def test_seed_demo_is_idempotent():
    first = seed()
    counts = (get_user_model().objects.count(), StaffProfile.objects.count(), ManagerScope.objects.count())

    second = seed()

    assert (get_user_model().objects.count(), StaffProfile.objects.count(), ManagerScope.objects.count()) == counts
    assert HomePage.objects.count() == 1
    assert second["home_page"] == first["home_page"]
    assert second["synthetic_staff_created"] == 0


def test_site_manager_scope_is_their_site():
    seed()
    scope = ManagerScope.objects.get(user__username="site.manager")
    profile = StaffProfile.objects.get(user__username="site.manager")

    assert scope.level == "site" and scope.jobcentre == profile.jobcentre
