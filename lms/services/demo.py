"""Demo people for `seed_demo`: one user per role at real jobcentres and ~200 synthetic staff.

Everything here is deterministic and idempotent, so the command can run on every `make run`.
"""

import itertools
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from lms import roles
from lms.models import District, Jobcentre, JobRole, ManagerScope, ScopeLevel, StaffProfile

DEMO_PASSWORD = "jcp-learning-demo"
SYNTHETIC_STAFF = 200
DEMO_DISTRICT_COUNT = 3

_FIRST_NAMES = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Eilidh",
    "Femi",
    "Gareth",
    "Hana",
    "Ieuan",
    "Jas",
    "Kerry",
    "Liam",
    "Maya",
    "Niamh",
    "Owen",
    "Priya",
    "Rhys",
    "Sam",
    "Tariq",
    "Una",
    "Vik",
    "Wendy",
    "Yusuf",
    "Zoe",
]
_LAST_NAMES = [
    "Ahmed",
    "Begum",
    "Campbell",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "Okafor",
    "Patel",
    "Reid",
    "Singh",
    "Thomas",
    "Walsh",
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    where: str
    password: str = DEMO_PASSWORD


def demo_districts() -> list[District]:
    """Three active districts, chosen the same way every time: the three with most active jobcentres."""
    districts = District.objects.filter(is_active=True).prefetch_related("jobcentres").order_by("code")
    ranked = sorted(districts, key=lambda d: (-sum(1 for j in d.jobcentres.all() if j.is_active), d.code))
    return ranked[:DEMO_DISTRICT_COUNT]


def _user(username: str, *, first: str, last: str, groups: list[str], password: str | None, **extra):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
    user.first_name, user.last_name = first, last
    user.email = f"{username}@example.dwp.gov.uk"
    for key, value in extra.items():
        setattr(user, key, value)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


def _profile(user, jobcentre: Jobcentre, job_role: str) -> None:
    StaffProfile.objects.update_or_create(user=user, defaults={"jobcentre": jobcentre, "job_role": job_role})


def _scope(user, level: str, **unit) -> None:
    ManagerScope.objects.filter(user=user).exclude(level=level, **unit).delete()
    ManagerScope.objects.get_or_create(user=user, level=level, **unit)


@transaction.atomic
def demo_people_ensure() -> dict:
    """Create or refresh the demo users and synthetic staff. Needs the organisation imported first."""
    districts = demo_districts()
    if len(districts) < DEMO_DISTRICT_COUNT:
        raise ValueError("Import the jobcentre register before seeding demo people.")
    sites = [list(district.jobcentres.filter(is_active=True).order_by("code")) for district in districts]
    home_site = sites[0][0]
    district = districts[0]
    group = district.group
    logins: list[DemoLogin] = []

    def person(
        username, first, last, role_groups, role, where, *, jobcentre=home_site, job_role=JobRole.WORK_COACH, **extra
    ):
        user = _user(
            username, first=first, last=last, groups=[roles.LEARNER, *role_groups], password=DEMO_PASSWORD, **extra
        )
        _profile(user, jobcentre, job_role)
        logins.append(DemoLogin(username, role, where))
        return user

    person("learner", "Lee", "Learner", [], "Learner (work coach)", home_site.name)
    person(
        "volunteer",
        "Val",
        "Volunteer",
        [roles.VOLUNTEER],
        "Co-production volunteer",
        home_site.name,
        job_role=JobRole.OTHER,
    )
    person("editor", "Eddie", "Editor", [roles.EDITOR], "Content editor", home_site.name, job_role=JobRole.OTHER)
    site_manager = person(
        "site.manager",
        "Sita",
        "Manager",
        [roles.SITE_MANAGER],
        "Site manager",
        home_site.name,
        job_role=JobRole.SERVICE_LEADER,
    )
    _scope(site_manager, ScopeLevel.SITE, jobcentre=home_site)
    district_manager = person(
        "district.manager",
        "Dara",
        "Manager",
        [roles.DISTRICT_MANAGER],
        "District manager",
        district.name,
        job_role=JobRole.SERVICE_LEADER,
    )
    _scope(district_manager, ScopeLevel.DISTRICT, district=district)
    group_manager = person(
        "group.manager",
        "Gwen",
        "Manager",
        [roles.GROUP_MANAGER],
        "Group manager",
        group.name,
        job_role=JobRole.SERVICE_LEADER,
    )
    _scope(group_manager, ScopeLevel.GROUP, group=group)
    national = person(
        "national",
        "Nia",
        "National",
        [roles.NATIONAL_REPORTING],
        "National reporting",
        "Great Britain",
        job_role=JobRole.OTHER,
    )
    _scope(national, ScopeLevel.NATIONAL)
    person(
        "admin",
        "Ada",
        "Admin",
        [],
        "Administrator (superuser)",
        "everything",
        is_staff=True,
        is_superuser=True,
        job_role=JobRole.OTHER,
    )

    staff_created = _synthetic_staff_ensure(list(itertools.chain.from_iterable(sites)))
    return {
        "logins": [login.__dict__ for login in logins],
        "districts": [d.name for d in districts],
        "synthetic_staff": SYNTHETIC_STAFF,
        "synthetic_staff_created": staff_created,
    }


def _synthetic_staff_ensure(jobcentres: list[Jobcentre]) -> int:
    """SYNTHETIC_STAFF learners spread round-robin over the demo jobcentres; no one can sign in as them."""
    User = get_user_model()
    wanted = [f"staff{number:03d}" for number in range(1, SYNTHETIC_STAFF + 1)]
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    job_roles = [JobRole.WORK_COACH] * 6 + [
        JobRole.WORK_COACH_TEAM_LEADER,
        JobRole.DISABILITY_EMPLOYMENT_ADVISER,
        JobRole.SUPPORT,
        JobRole.COMMUNITY_PARTNER,
    ]
    new_users = []
    for index, username in enumerate(wanted):
        if username in existing:
            continue
        user = User(
            username=username,
            first_name=_FIRST_NAMES[index % len(_FIRST_NAMES)],
            last_name=_LAST_NAMES[(index * 7) % len(_LAST_NAMES)],
            email=f"{username}@example.dwp.gov.uk",
        )
        user.set_unusable_password()
        new_users.append(user)
    User.objects.bulk_create(new_users)
    learner_group = Group.objects.get(name=roles.LEARNER)
    users = {u.username: u for u in User.objects.filter(username__in=wanted)}
    with_profile = set(StaffProfile.objects.filter(user__username__in=wanted).values_list("user__username", flat=True))
    StaffProfile.objects.bulk_create(
        StaffProfile(
            user=users[username],
            jobcentre=jobcentres[index % len(jobcentres)],
            job_role=job_roles[index % len(job_roles)],
        )
        for index, username in enumerate(wanted)
        if username not in with_profile
    )
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=u.pk, group_id=learner_group.pk) for u in users.values()], ignore_conflicts=True
    )
    return len(new_users)
