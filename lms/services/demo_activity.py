"""Demo assignments and learning activity for ``seed_demo``, so My learning and the reports have something to show.

Activity is planned by ``demo_activity_plan`` (pure) with random number generators seeded from stable inputs only
– usernames, jobcentre codes and the catalogue's order – so every run plans the same thing, and what already
exists is skipped. Completions go through ``completion_record`` (the one way to write a completion; it also
completes the series). "In progress" ``Progress`` rows are bulk-created, and the reports' roll-up is then rebuilt,
as ``lms.services.rollups`` asks of bulk writes.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from home.demo_content import catalogue
from lms.models import Assignment, Completion, CompletionMethod, Progress, StaffProfile
from lms.services.completions import completion_record
from lms.services.demo import demo_districts
from lms.services.demo_content import DemoContent, Tally
from lms.services.rollups import rollup_rebuild

ACTIVITY_SEED = 2024
DEMO_LEARNER = "learner"


@dataclass(frozen=True)
class PlannedActivity:
    """One person's activity on one item: completed (``method`` set) or in progress (``watched`` < 1)."""

    username: str
    item: str  # the item's slug
    days_ago: int
    minute_of_day: int
    watched: float  # fraction of the video watched
    method: str | None = None  # a CompletionMethod value when completed


def demo_activity_plan(*, staff: Iterable[tuple[str, str]]) -> list[PlannedActivity]:
    """Plan the activity of ``staff`` (``(username, jobcentre code)`` pairs) on the demo items.

    Sites differ in how keen their staff are, so the reports have something to compare. People take the series'
    modules in order and may stop part-way, part-way through a module; films and the webinar are taken or not,
    independently. The webinar can be attended live (on the day it was held) or watched afterwards.
    """
    staff = sorted(staff)
    # Demo data, not security: a seeded generator is the point (the same plan every run).
    site_rng = random.Random(ACTIVITY_SEED)  # noqa: S311
    keenness = {code: site_rng.uniform(0.3, 0.9) for code in sorted({code for _, code in staff})}
    plan: list[PlannedActivity] = []
    for username, code in staff:
        plan.extend(_person_plan(username, keen=keenness[code]))
    return plan


def _person_plan(username: str, *, keen: float) -> list[PlannedActivity]:
    rng = random.Random(f"{ACTIVITY_SEED}:{username}")  # noqa: S311 – per person: adding staff changes no one else
    plan: list[PlannedActivity] = []

    def done(slug: str, days_ago: int, method: str = CompletionMethod.WATCHED) -> None:
        plan.append(PlannedActivity(username, slug, days_ago, rng.randint(9 * 60, 17 * 60), 1.0, method))

    def started(slug: str, days_ago: int) -> None:
        fraction = round(rng.uniform(0.1, 0.8), 2)
        plan.append(PlannedActivity(username, slug, days_ago, rng.randint(9 * 60, 17 * 60), fraction))

    day = rng.randint(20, 75)
    for module in catalogue.MODULES:
        if rng.random() < keen:
            done(module.slug, day)
            day = max(1, day - rng.randint(1, 7))
            continue
        if rng.random() < 0.5:
            started(module.slug, max(1, day - rng.randint(0, 5)))
        break
    for film in catalogue.FILMS:
        chance = rng.random()
        if chance < 0.55 * keen:
            done(film.slug, rng.randint(1, 60))
        elif chance < 0.55 * keen + 0.12:
            started(film.slug, rng.randint(1, 20))
    held = catalogue.WEBINAR.held_days_ago
    chance = rng.random()
    if chance < 0.3 * keen:
        done(catalogue.WEBINAR.slug, held, CompletionMethod.ATTENDED_LIVE)
    elif chance < 0.5 * keen:
        done(catalogue.WEBINAR.slug, rng.randint(1, held - 1))
    elif chance < 0.5 * keen + 0.08:
        started(catalogue.WEBINAR.slug, rng.randint(1, held - 1))
    return plan


def _demo_learner_plan() -> list[PlannedActivity]:
    """The demo learner has finished the first module and is part-way through the second."""
    first, second = catalogue.MODULES[0].slug, catalogue.MODULES[1].slug
    return [
        PlannedActivity(DEMO_LEARNER, first, 3, 10 * 60, 1.0, CompletionMethod.WATCHED),
        PlannedActivity(DEMO_LEARNER, second, 1, 14 * 60 + 30, 0.4),
    ]


def demo_assignments_ensure(*, content: DemoContent, tally: Tally) -> list[Assignment]:
    """The demo assignments (``catalogue.ASSIGNMENTS``); an assignment already there (same item and audience) is
    kept with its due date. Written directly rather than through ``assignment_create``: they are seeded data, not
    a decision someone made, so they belong in no one's audit trail."""
    User = get_user_model()
    district = demo_districts()[0]
    site = StaffProfile.objects.select_related("jobcentre").get(user__username=DEMO_LEARNER).jobcentre
    created_by = User.objects.filter(username="national").first()
    today = timezone.localdate()
    assignments = []
    for demo in catalogue.ASSIGNMENTS:
        item = content.by_slug(demo.item)
        audience = {"jobcentre": None, "district": None, "group": None}
        if demo.level == "site":
            audience["jobcentre"] = site
        elif demo.level == "district":
            audience["district"] = district
        existing = Assignment.objects.filter(item=item, level=demo.level, job_role=demo.job_role, **audience).first()
        tally.count("assignments", existing is None)
        if existing is None:
            existing = Assignment(item=item, level=demo.level, job_role=demo.job_role, **audience)
            existing.due_on, existing.created_by = today + timedelta(days=demo.due_in_days), created_by
            existing.full_clean()
            existing.save()
        assignments.append(existing)
    return assignments


def demo_activity_ensure(*, content: DemoContent, tally: Tally) -> None:
    """Record the planned activity that is not there yet: completions (through ``completion_record``, which
    also completes the series) and progress rows, then rebuild the reports' roll-up."""
    User = get_user_model()
    staff = StaffProfile.objects.filter(user__username__startswith="staff", jobcentre__isnull=False)
    pairs = staff.values_list("user__username", "jobcentre__code")
    plan = demo_activity_plan(staff=pairs) + _demo_learner_plan()
    users = {user.username: user for user in User.objects.filter(username__in={p.username for p in plan})}
    items = {page.slug: page for page in content.items()}
    item_ids = [page.pk for page in items.values()]
    done = set(Completion.objects.filter(item_id__in=item_ids).values_list("user_id", "item_id"))
    started = set(Progress.objects.filter(item_id__in=item_ids).values_list("user_id", "item_id"))
    today = timezone.localdate()
    completions_before = Completion.objects.count()
    progress_rows = []
    with transaction.atomic():
        for planned in plan:
            user, item = users.get(planned.username), items[planned.item]
            if user is None or item.video is None or not item.video.duration:
                continue
            day = today - timedelta(days=planned.days_ago)
            at = timezone.make_aware(datetime.combine(day, time(*divmod(planned.minute_of_day, 60))))
            if planned.method is not None and (user.pk, item.pk) not in done:
                if planned.method == CompletionMethod.ATTENDED_LIVE:
                    at = item.ends_at
                completion_record(user=user, item=item, method=planned.method, completed_at=at)
            if planned.method == CompletionMethod.ATTENDED_LIVE or (user.pk, item.pk) in started:
                continue
            duration = item.video.duration
            watched = round(duration * planned.watched, 1)
            progress_rows.append(
                Progress(
                    user=user,
                    item_id=item.pk,
                    ranges=[[0.0, watched]],
                    watched_seconds=watched,
                    duration=duration,
                    position=watched,
                    started_at=at - timedelta(seconds=duration + 60),
                    updated_at=at,
                )
            )
        Progress.objects.bulk_create(progress_rows, ignore_conflicts=True)
        rollup_rebuild(check=False)
    created_completions = Completion.objects.count() - completions_before
    on_demo_items = Completion.objects.filter(item_id__in=[*item_ids, content.series.pk]).count()
    tally.created["completions"] += created_completions
    tally.kept["completions"] += on_demo_items - created_completions
    tally.created["progress"] += len(progress_rows)
    tally.kept["progress"] += len(started)
