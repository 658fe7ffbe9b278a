"""The per-site roll-up stays equal to a count from scratch through completions, starts, moves and deletions."""

import io
import json
import random

import pytest
from django.core.management import call_command

from lms.models import CompletionMethod, JobRole, SiteItemRollup, StaffProfile
from lms.services.completions import completion_record
from lms.services.rollups import rollup_differences
from lms.services.staff import staff_profile_move
from tests.lms import factories
from tests.lms.report_scenario import Org, staff, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(db):
    return Org()


@pytest.fixture
def items(home_page):
    index = factories.learning_index(home_page)
    series = factories.series(index, title="Trauma-informed practice")
    modules = [factories.module(series, title=f"Module {n}") for n in (1, 2)]
    film = factories.film(index, title="Dee's story")
    return {"series": series, "m1": modules[0], "m2": modules[1], "film": film}


def counts(jobcentre, item, job_role=JobRole.WORK_COACH) -> tuple[int, int]:
    row = SiteItemRollup.objects.filter(jobcentre=jobcentre, item_id=item.pk, job_role=job_role).first()
    return (row.completed, row.in_progress) if row else (0, 0)


def test_completion_counts_at_the_learners_current_site_and_role(org, items):
    amira = staff("amira", org.ashby, JobRole.DISABILITY_EMPLOYMENT_ADVISER)
    completion_record(user=amira, item=items["film"], method=CompletionMethod.WATCHED)
    completion_record(user=amira, item=items["film"], method=CompletionMethod.ATTENDED_LIVE)  # no second count

    assert counts(org.ashby, items["film"], JobRole.DISABILITY_EMPLOYMENT_ADVISER) == (1, 0)
    assert counts(org.ashby, items["film"]) == (0, 0)
    assert rollup_differences() == 0


def test_started_then_completed_moves_from_in_progress_to_completed(org, items):
    ben = staff("ben", org.byker)
    start(ben, items["m1"])
    assert counts(org.byker, items["m1"]) == (0, 1)

    completion_record(user=ben, item=items["m1"], method=CompletionMethod.WATCHED)
    assert counts(org.byker, items["m1"]) == (1, 0)
    assert rollup_differences() == 0


def test_progress_after_attending_live_is_not_counted_as_in_progress(org, items):
    cara = staff("cara", org.byker)
    completion_record(user=cara, item=items["film"], method=CompletionMethod.GROUP_SCREENING)
    start(cara, items["film"])
    assert counts(org.byker, items["film"]) == (1, 0)
    assert rollup_differences() == 0


def test_series_completion_is_counted_when_its_modules_complete(org, items):
    dev = staff("dev", org.erith)
    for module in (items["m1"], items["m2"]):
        completion_record(user=dev, item=module, method=CompletionMethod.WATCHED)
    assert counts(org.erith, items["series"]) == (1, 0)
    assert rollup_differences() == 0


def test_a_move_takes_completions_and_started_items_to_the_new_site_and_role(org, items):
    eve = staff("eve", org.ashby)
    completion_record(user=eve, item=items["film"], method=CompletionMethod.WATCHED)
    start(eve, items["m1"])

    staff_profile_move(profile=eve.staff_profile, jobcentre=org.erith, job_role=JobRole.WORK_COACH_TEAM_LEADER)

    assert counts(org.ashby, items["film"]) == (0, 0)
    assert counts(org.ashby, items["m1"]) == (0, 0)
    assert counts(org.erith, items["film"], JobRole.WORK_COACH_TEAM_LEADER) == (1, 0)
    assert counts(org.erith, items["m1"], JobRole.WORK_COACH_TEAM_LEADER) == (0, 1)
    assert rollup_differences() == 0


def test_any_save_of_the_staff_record_moves_counts_as_sign_in_does(org, items):
    fay = staff("fay", org.ashby)
    completion_record(user=fay, item=items["film"], method=CompletionMethod.WATCHED)
    profile = StaffProfile.objects.get(user=fay)  # a fresh instance, as single sign-on loads it
    profile.jobcentre = org.deptford
    profile.save()
    assert counts(org.ashby, items["film"]) == (0, 0)
    assert counts(org.deptford, items["film"]) == (1, 0)


def test_staff_with_no_jobcentre_count_nowhere_until_they_get_one(org, items):
    gus = staff("gus", None)
    completion_record(user=gus, item=items["film"], method=CompletionMethod.WATCHED)
    assert not SiteItemRollup.objects.filter(completed__gt=0).exists()

    staff_profile_move(profile=gus.staff_profile, jobcentre=org.byker)
    assert counts(org.byker, items["film"]) == (1, 0)
    staff_profile_move(profile=gus.staff_profile, jobcentre=None)
    assert counts(org.byker, items["film"]) == (0, 0)
    assert rollup_differences() == 0


def test_deleting_a_user_removes_their_counts(org, items):
    hal = staff("hal", org.ashby)
    completion_record(user=hal, item=items["film"], method=CompletionMethod.WATCHED)
    start(hal, items["m2"])
    hal.delete()
    assert counts(org.ashby, items["film"]) == (0, 0)
    assert counts(org.ashby, items["m2"]) == (0, 0)
    assert rollup_differences() == 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_roll_up_equals_a_recount_after_a_random_sequence(org, items, seed):
    rng = random.Random(seed)
    sites = [org.ashby, org.byker, org.cullercoats, org.deptford, org.erith, None]
    learning = [items["m1"], items["m2"], items["film"], items["series"]]
    people = [staff(f"p{seed}-{n}", rng.choice(sites), rng.choice(JobRole.values)) for n in range(8)]
    for _ in range(60):
        person = rng.choice(people)
        action = rng.random()
        if action < 0.4:
            completion_record(user=person, item=rng.choice(learning), method=CompletionMethod.WATCHED)
        elif action < 0.7:
            item = rng.choice(learning)
            if not person.progress.filter(item_id=item.pk).exists():
                start(person, item)
        else:
            profile = StaffProfile.objects.get(user=person)
            staff_profile_move(profile=profile, jobcentre=rng.choice(sites), job_role=rng.choice(JobRole.values))
    assert rollup_differences() == 0
    assert SiteItemRollup.objects.filter(completed__lt=0).count() == 0
    assert SiteItemRollup.objects.filter(in_progress__lt=0).count() == 0


def test_rollups_rebuild_restores_a_corrupted_roll_up(org, items):
    ivy, jon = staff("ivy", org.ashby), staff("jon", org.byker)
    completion_record(user=ivy, item=items["film"], method=CompletionMethod.WATCHED)
    completion_record(user=jon, item=items["m1"], method=CompletionMethod.WATCHED)
    start(jon, items["m2"])
    expected = set(
        SiteItemRollup.objects.values_list("jobcentre_id", "item_id", "job_role", "completed", "in_progress")
    )

    SiteItemRollup.objects.filter(jobcentre=org.ashby).update(completed=7)
    SiteItemRollup.objects.filter(jobcentre=org.byker, item_id=items["m2"].pk).delete()
    SiteItemRollup.objects.create(jobcentre=org.erith, item_id=items["m2"].pk, job_role=JobRole.OTHER, completed=3)
    assert rollup_differences() == 3

    out = io.StringIO()
    call_command("rollups_rebuild", stdout=out)
    result = json.loads(out.getvalue())

    assert result["repaired"] == 3
    assert (result["rows"], result["completed"], result["in_progress"]) == (3, 2, 1)
    rebuilt = set(SiteItemRollup.objects.values_list("jobcentre_id", "item_id", "job_role", "completed", "in_progress"))
    assert {row for row in expected if row[3] or row[4]} == rebuilt
    assert rollup_differences() == 0
