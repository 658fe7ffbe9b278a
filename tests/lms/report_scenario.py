"""A small hand-built organisation and helpers for the reports, scope, roll-up and assignment tests.

Two groups; North has districts Tyne (sites Ashby, Byker and the closed Cullercoats) and Wear (site Deptford);
South has district Kent (site Erith). Small enough that every expected number can be worked out by hand.
"""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from lms import roles
from lms.models import (
    District,
    Jobcentre,
    JobcentreGroup,
    JobRole,
    ManagerScope,
    Progress,
    ScopeLevel,
    StaffProfile,
)
from lms.services.rollups import rollup_progress_started

_codes = itertools.count(9000)


class Org:
    def __init__(self):
        self.north = JobcentreGroup.objects.create(code=str(next(_codes)), name="North")
        self.south = JobcentreGroup.objects.create(code=str(next(_codes)), name="South")
        self.tyne = District.objects.create(code=str(next(_codes)), name="Tyne", group=self.north)
        self.wear = District.objects.create(code=str(next(_codes)), name="Wear", group=self.north)
        self.kent = District.objects.create(code=str(next(_codes)), name="Kent", group=self.south)
        self.ashby = self._site("Ashby", self.tyne)
        self.byker = self._site("Byker", self.tyne)
        self.cullercoats = self._site("Cullercoats", self.tyne, is_active=False)
        self.deptford = self._site("Deptford", self.wear)
        self.erith = self._site("Erith", self.kent)

    def _site(self, name: str, district: District, is_active: bool = True) -> Jobcentre:
        end = None if is_active else datetime.date(2020, 3, 31)
        return Jobcentre.objects.create(
            code=str(next(_codes)), name=name, district=district, is_active=is_active, end_date=end
        )


def staff(username: str, jobcentre: Jobcentre | None, job_role: str = JobRole.WORK_COACH, **fields):
    """A learner with a staff record (created through save(), as sign-in does)."""
    user = get_user_model().objects.create_user(username=username, password="correct-horse-battery", **fields)
    user.groups.add(Group.objects.get(name=roles.LEARNER))
    StaffProfile.objects.create(user=user, jobcentre=jobcentre, job_role=job_role)
    return user


def manager(username: str, role: str, *scopes: tuple[str, object]):
    """A manager in ``role`` with ``ManagerScope`` rows ``(level, unit)``; unit None for national."""
    user = get_user_model().objects.create_user(username=username, password="correct-horse-battery")
    user.groups.add(*Group.objects.filter(name__in=[roles.LEARNER, role]))
    for level, unit in scopes:
        field = {"site": "jobcentre", "district": "district", "group": "group"}.get(level)
        ManagerScope.objects.create(user=user, level=level, **({field: unit} if field else {}))
    return user


def start(user, item, *, when: datetime.datetime | None = None) -> Progress:
    """Record that ``user`` started ``item`` as the progress service does: first Progress row + roll-up."""
    when = when or timezone.now()
    progress = Progress.objects.create(
        user=user, item_id=item.pk, duration=120, watched_seconds=10, ranges=[[0, 10]], started_at=when, updated_at=when
    )
    rollup_progress_started(user_id=user.pk, item_id=item.pk)
    return progress


SITE, DISTRICT, GROUP, NATIONAL = ScopeLevel.SITE, ScopeLevel.DISTRICT, ScopeLevel.GROUP, ScopeLevel.NATIONAL


class Scenario:
    """The hand-built scenario whose numbers the report tests work out by hand (see test_reports_counts.py).

    Film F: assigned to Tyne district, due yesterday. Module M1: assigned nationally to disability employment
    advisers, due in 30 days. Webinar W and module M2: not assigned. Mover ``m`` completed F and started M1 at
    Erith, then moved to Byker. ``n1`` has no jobcentre. Dunston (Wear) is closed and has nobody.
    """

    def __init__(self, home_page):
        from lms.models import Assignment, CompletionMethod
        from lms.services.completions import completion_record
        from lms.services.staff import staff_profile_move
        from tests.lms import factories

        org = self.org = Org()
        self.dunston = org._site("Dunston", org.wear, is_active=False)
        index = factories.learning_index(home_page)
        self.series = factories.series(index, title="Working with trauma")
        self.m1 = factories.module(self.series, title="Why trauma matters")
        self.m2 = factories.module(self.series, title="Safe conversations")
        self.film = factories.film(index, title="Dee's story")
        self.webinar = factories.webinar(index, title="Housing first")
        WC, DEA, TL = JobRole.WORK_COACH, JobRole.DISABILITY_EMPLOYMENT_ADVISER, JobRole.WORK_COACH_TEAM_LEADER
        self.a1 = staff("a1", org.ashby, WC, first_name="Ada", last_name="Ashworth")
        self.a2 = staff("a2", org.ashby, WC, first_name="Alf", last_name="Atkins")
        self.a3 = staff("a3", org.ashby, DEA, first_name="Amy", last_name="Avery")
        self.a4 = staff("a4", org.ashby, TL, first_name="Abe", last_name="Axton")
        self.b1 = staff("b1", org.byker, WC)
        self.b2 = staff("b2", org.byker, WC)
        self.c1 = staff("c1", org.cullercoats, WC)
        self.d1 = staff("d1", org.deptford, WC)
        self.e1 = staff("e1", org.erith, WC)
        self.e2 = staff("e2", org.erith, DEA)
        self.m = staff("m", org.erith, WC)
        self.n1 = staff("n1", None, WC)

        def at(day: str) -> datetime.datetime:
            return timezone.make_aware(datetime.datetime.fromisoformat(f"{day}T12:00:00"))

        def complete(user, item, day, method=CompletionMethod.WATCHED):
            completion_record(user=user, item=item, method=method, completed_at=at(day))

        complete(self.a1, self.film, "2025-01-10")
        start(self.a2, self.film, when=at("2025-01-05"))
        complete(self.a3, self.film, "2025-03-05", CompletionMethod.ATTENDED_LIVE)
        start(self.b2, self.film, when=at("2025-02-01"))
        complete(self.c1, self.film, "2024-12-01")
        complete(self.e1, self.film, "2025-02-20")
        complete(self.m, self.film, "2025-01-15")
        start(self.m, self.m1, when=at("2025-01-16"))
        complete(self.n1, self.film, "2025-01-20")
        staff_profile_move(profile=self.m.staff_profile, jobcentre=org.byker)

        today = timezone.localdate()
        Assignment.objects.create(
            item=self.film, level="district", district=org.tyne, due_on=today - datetime.timedelta(days=1)
        )
        Assignment.objects.create(
            item=self.m1, level="national", job_role=DEA, due_on=today + datetime.timedelta(days=30)
        )
