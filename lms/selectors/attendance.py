"""Reads for recording attendance: which learning can be recorded, who in a Teams report is which member of staff,
and which staff a manager may tick for a group screening.

Everything takes the manager's ``ReportScope`` (``lms.selectors.scope``) and counts a person as in scope only when
they have an active account and a staff record whose *current* jobcentre is in it – the same rule the reports use,
so whoever a manager can record is someone their reports count.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.utils import timezone
from wagtail.models import Page

from lms.attendance import Attendee
from lms.models import Completion, CompletionMethod, Jobcentre, StaffProfile, WebinarPage
from lms.models.content import LEARNING_ITEM_MODELS
from lms.selectors.reports import ITEM_KINDS
from lms.selectors.scope import ReportScope


class Unmatched:
    """Why a row of a Teams report matches nobody the manager may record (code → words for the manager)."""

    NO_EMAIL = "no_email"
    NO_ACCOUNT = "no_account"
    SEVERAL_ACCOUNTS = "several_accounts"
    INACTIVE = "inactive"
    NO_STAFF_RECORD = "no_staff_record"
    OUT_OF_SCOPE = "out_of_scope"
    LISTED_TWICE = "listed_twice"

    REASONS = {
        NO_EMAIL: "The report has no email address for them (a guest, or someone who joined by phone)",
        NO_ACCOUNT: "No one uses JCP Learning with this email address",
        SEVERAL_ACCOUNTS: "More than one JCP Learning account has this email address – ask the JCP Learning team",
        INACTIVE: "Their JCP Learning account is switched off",
        NO_STAFF_RECORD: "They have no staff record with a jobcentre, so no report counts them",
        OUT_OF_SCOPE: "They work outside the area you manage",
        LISTED_TWICE: "The report lists them twice (another row matched the same person)",
    }


@dataclass(frozen=True)
class StaffMember:
    """A member of staff as the attendance pages show them."""

    user_id: int
    name: str
    email: str
    jobcentre_id: int
    jobcentre: str
    job_role: str
    completed: str = ""  # how they already completed the item ("Watched", …), "" if they have not


@dataclass(frozen=True)
class MatchedRow:
    index: int  # the attendee's position in the report
    attendee: Attendee
    staff: StaffMember


@dataclass(frozen=True)
class UnmatchedRow:
    index: int
    attendee: Attendee
    reason: str

    @property
    def reason_text(self) -> str:
        return Unmatched.REASONS[self.reason]


@dataclass(frozen=True)
class AttendanceMatching:
    matched: tuple[MatchedRow, ...]
    unmatched: tuple[UnmatchedRow, ...]

    @property
    def to_record(self) -> tuple[MatchedRow, ...]:
        """Matched people who have not completed the item yet."""
        return tuple(row for row in self.matched if not row.staff.completed)


@dataclass(frozen=True)
class LearningChoice:
    pk: int
    title: str
    kind: str
    starts_at: object = None  # webinars only

    @property
    def label(self) -> str:
        if self.starts_at is not None:
            return f"{self.title} ({timezone.localtime(self.starts_at):%-d %B %Y})"
        return self.title


def attendance_webinars() -> list[LearningChoice]:
    """Live webinars, the most recent first, for the Teams report form. One query."""
    rows = WebinarPage.objects.live().order_by("-starts_at", "pk").values_list("pk", "title", "starts_at")
    return [LearningChoice(pk, title, "Webinar", starts_at) for pk, title, starts_at in rows]


def attendance_screenable_items() -> list[LearningChoice]:
    """Live modules, films and webinars that have a video (something to show), in tree order. One query per kind."""
    choices: list[tuple[str, LearningChoice]] = []
    for model in LEARNING_ITEM_MODELS:
        kind = ITEM_KINDS[model._meta.model_name]
        rows = model.objects.live().filter(video__isnull=False).values_list("pk", "title", "path")
        choices += [(path, LearningChoice(pk, title, kind)) for pk, title, path in rows]
    return [choice for _, choice in sorted(choices, key=lambda pair: pair[0])]


def attendance_item(*, item_id: int) -> Page | None:
    """The live module, film or webinar with this id (its specific page), or ``None``."""
    page = Page.objects.live().filter(pk=item_id).first()
    if page is None or page.specific_class not in LEARNING_ITEM_MODELS:
        return None
    return page.specific_class.objects.get(pk=page.pk)


def attendance_match(*, scope: ReportScope, item_id: int, attendees: Sequence[Attendee]) -> AttendanceMatching:
    """Match each attendee of a Teams report to a member of staff the manager may record, by email address.

    An attendee's addresses (``Attendee.addresses``: the Email column, then the UPN) are compared with accounts'
    email addresses, trimmed and case-insensitively. A row matches when exactly one account has one of its
    addresses, that account is active and its staff record's current jobcentre is in ``scope``; otherwise the
    row is unmatched with the reason (``Unmatched``). A person matched by an earlier row is unmatched as
    ``listed_twice``. Matched staff carry whether they have already completed ``item_id``. Four queries, however
    long the report.
    """
    addresses = {address for attendee in attendees for address in attendee.addresses}
    accounts: dict[str, set[int]] = {}
    users: dict[int, dict] = {}
    if addresses:
        rows = (
            get_user_model()
            .objects.annotate(email_key=Lower("email"))
            .filter(email_key__in=sorted(addresses))
            .values("pk", "email_key", "is_active")
        )
        for row in rows:
            accounts.setdefault(row["email_key"], set()).add(row["pk"])
            users[row["pk"]] = row
    staff = _staff_members(scope=scope, user_ids=users, item_id=item_id)
    profiles = StaffProfile.objects.filter(user_id__in=list(users), jobcentre__isnull=False)
    with_jobcentre = set(profiles.values_list("user_id", flat=True))

    matched, unmatched, seen = [], [], set()
    for index, attendee in enumerate(attendees):
        candidates = set().union(*(accounts.get(address, set()) for address in attendee.addresses))
        if not attendee.addresses:
            reason = Unmatched.NO_EMAIL
        elif not candidates:
            reason = Unmatched.NO_ACCOUNT
        elif len(candidates) > 1:
            reason = Unmatched.SEVERAL_ACCOUNTS
        else:
            user_id = next(iter(candidates))
            if not users[user_id]["is_active"]:
                reason = Unmatched.INACTIVE
            elif user_id not in with_jobcentre:
                reason = Unmatched.NO_STAFF_RECORD
            elif user_id not in staff:
                reason = Unmatched.OUT_OF_SCOPE
            elif user_id in seen:
                reason = Unmatched.LISTED_TWICE
            else:
                seen.add(user_id)
                matched.append(MatchedRow(index=index, attendee=attendee, staff=staff[user_id]))
                continue
        unmatched.append(UnmatchedRow(index=index, attendee=attendee, reason=reason))
    return AttendanceMatching(matched=tuple(matched), unmatched=tuple(unmatched))


def attendance_staff_in_scope(
    *, scope: ReportScope, user_ids: Iterable[int], item_id: int | None = None
) -> dict[int, StaffMember]:
    """Those of ``user_ids`` who are active staff at a jobcentre in ``scope``, by user id (two queries)."""
    return _staff_members(scope=scope, user_ids=user_ids, item_id=item_id)


def attendance_site_staff(*, scope: ReportScope, jobcentre: Jobcentre, item_id: int | None) -> list[StaffMember]:
    """Active staff currently at ``jobcentre`` (which the caller has checked is in ``scope``), by name. Two queries."""
    members = _staff_members(scope=scope, user_ids=(), item_id=item_id, jobcentre=jobcentre)
    return sorted(members.values(), key=lambda member: (member.name.lower(), member.user_id))


def _staff_members(
    *, scope: ReportScope, user_ids: Iterable[int], item_id: int | None, jobcentre: Jobcentre | None = None
) -> dict[int, StaffMember]:
    profiles = StaffProfile.objects.filter(user__is_active=True, jobcentre__isnull=False).filter(
        scope.jobcentre_q("jobcentre__")
    )
    if jobcentre is not None:
        profiles = profiles.filter(jobcentre=jobcentre)
    else:
        profiles = profiles.filter(user_id__in=list(user_ids))
    rows = profiles.values_list(
        "user_id",
        "user__first_name",
        "user__last_name",
        "user__username",
        "user__email",
        "jobcentre_id",
        "jobcentre__name",
        "job_role",
    )
    rows = list(rows)
    done: dict[int, str] = {}
    if item_id is not None and rows:
        labels = dict(CompletionMethod.choices)
        completions = Completion.objects.filter(item_id=item_id, user_id__in=[row[0] for row in rows])
        done = {user_id: labels.get(method, method) for user_id, method in completions.values_list("user_id", "method")}
    roles = dict(StaffProfile._meta.get_field("job_role").choices)
    members = {}
    for user_id, first, last, username, email, jobcentre_id, jobcentre_name, job_role in rows:
        members[user_id] = StaffMember(
            user_id=user_id,
            name=f"{first} {last}".strip() or username,
            email=email,
            jobcentre_id=jobcentre_id,
            jobcentre=jobcentre_name,
            job_role=roles.get(job_role, job_role),
            completed=done.get(user_id, ""),
        )
    return members
