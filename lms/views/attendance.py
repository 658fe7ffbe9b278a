"""``/reports/attendance/``: managers record who attended a webinar live (from its Teams attendance report) or
watched learning together in a team meeting (a group screening).

Both are two steps: the manager says what happened, then checks a confirmation page; nothing is recorded until
they confirm. What is being confirmed is kept server-side in the session under a random token (the parsed
report's rows, or the ticked staff), so the confirmation form only says which of *those* to record: a forged
email address or user id has nothing to refer to. Scope is read afresh at every step and again by the service
when it records. Every view needs ``lms.view_completion_reports``.
"""

import datetime
import secrets
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from home.audit import audit_log
from lms.attendance import Attendee
from lms.models import CompletionMethod, Jobcentre
from lms.roles import VIEW_REPORTS
from lms.selectors.attendance import (
    attendance_item,
    attendance_match,
    attendance_screenable_items,
    attendance_site_staff,
    attendance_staff_in_scope,
    attendance_webinars,
)
from lms.selectors.scope import ReportScope, report_scope_for, scope_jobcentres
from lms.services.attendance import AttendanceRefused, attendance_check_item, attendance_record
from lms.views.attendance_forms import ScreeningForm, TeamsReportForm

SESSION_KEY = "lms_attendance"
#: How many uploads or screenings a manager may have waiting for confirmation, and for how long.
MAX_PENDING, PENDING_SECONDS = 5, 12 * 3600
TEAMS, SCREENING = "teams_report", "group_screening"


def manager_view(methods: tuple[str, ...] = ("GET", "HEAD")):
    """Signed in (else to sign-in), with the reports permission (else 403), only ``methods``."""

    def wrap(view):
        guarded = login_required(permission_required(VIEW_REPORTS, raise_exception=True)(view))
        return require_safe(guarded) if methods == ("GET", "HEAD") else require_http_methods(list(methods))(guarded)

    return wrap


def _scope(request) -> ReportScope:
    scope = report_scope_for(user=request.user)
    if scope.is_empty:
        raise PermissionDenied("You have not been given any jobcentres to record attendance for.")
    return scope


# -- pending confirmations, kept in the session ---------------------------------------------------------------


def _pending_all(request) -> dict:
    now = time.time()
    pending = request.session.get(SESSION_KEY, {})
    return {token: entry for token, entry in pending.items() if now - entry.get("created", 0) < PENDING_SECONDS}


def _pending_add(request, entry: dict) -> str:
    pending = _pending_all(request)
    token = secrets.token_urlsafe(16)
    pending[token] = {**entry, "created": time.time(), "done": None}
    for old in sorted(pending, key=lambda key: pending[key]["created"])[:-MAX_PENDING]:
        del pending[old]
    request.session[SESSION_KEY] = pending
    return token


def _pending_get(request, token: str) -> dict:
    entry = _pending_all(request).get(token)
    if entry is None:
        raise Http404("This attendance is not waiting to be confirmed (it may have expired)")
    return entry


def _pending_save(request, token: str, entry: dict) -> None:
    pending = _pending_all(request)
    pending[token] = entry
    request.session[SESSION_KEY] = pending


# -- pages ------------------------------------------------------------------------------------------------------


@manager_view()
def attendance_start(request):
    scope = _scope(request)
    return render(request, "lms/attendance/start.html", {"scope": scope})


@manager_view(("GET", "HEAD", "POST"))
def attendance_upload(request):
    """Step 1 of a Teams report: choose the webinar and the file; the file is read and matched, not recorded."""
    scope = _scope(request)
    webinars = attendance_webinars()
    if request.method == "POST":
        form = TeamsReportForm(request.POST, request.FILES, webinars=webinars)
        if form.is_valid():
            webinar = attendance_item(item_id=int(form.cleaned_data["webinar"]))
            try:
                if webinar is None:
                    raise AttendanceRefused("That webinar is no longer on JCP Learning. Choose another.")
                attendance_check_item(item=webinar, method=CompletionMethod.ATTENDED_LIVE, now=timezone.now())
            except AttendanceRefused as refusal:
                form.add_error("webinar", refusal.message)
            else:
                report = form.cleaned_data["report"]
                token = _pending_add(
                    request,
                    {
                        "kind": TEAMS,
                        "item": webinar.pk,
                        "file_name": form.file_name,
                        "meeting_title": report.meeting_title,
                        "meeting_start": report.meeting_start,
                        "attendees": [attendee.to_dict() for attendee in report.attendees],
                    },
                )
                return redirect("lms:attendance_check", token=token)
        else:
            errors = form.errors.get("report")
            if errors:
                audit_log("attendance.upload_rejected", request=request, reason=str(errors[0]))
    else:
        chosen = request.GET.get("webinar", "")
        form = TeamsReportForm(initial={"webinar": chosen} if chosen.isdigit() else {}, webinars=webinars)
    return render(request, "lms/attendance/upload.html", {"form": form, "scope": scope})


@manager_view(("GET", "HEAD", "POST"))
def attendance_screening(request):
    """Step 1 of a group screening: what was shown, when and to which jobcentre's staff (GET), then tick who was
    there (POST). Ticked ids outside the manager's area are refused outright (403)."""
    scope = _scope(request)
    sites = scope_jobcentres(scope=scope)
    data = request.POST if request.method == "POST" else request.GET
    asked = any(name in data for name in ("item", "site", "on_day"))
    form = ScreeningForm(data if asked else None, items=attendance_screenable_items(), sites=sites)
    context = {"form": form, "scope": scope, "staff": None}
    if not asked or not form.is_valid():
        return render(request, "lms/attendance/screening.html", context)

    item = attendance_item(item_id=int(form.cleaned_data["item"]))
    on = form.cleaned_data["on"]
    try:
        if item is None:
            raise AttendanceRefused("That learning is no longer on JCP Learning. Choose another.")
        attendance_check_item(item=item, method=CompletionMethod.GROUP_SCREENING, now=timezone.now(), on=on)
    except AttendanceRefused as refusal:
        form.add_error("item", refusal.message)
        return render(request, "lms/attendance/screening.html", context)
    jobcentre = next(site for site in sites if str(site.pk) == form.cleaned_data["site"])
    staff = attendance_site_staff(scope=scope, jobcentre=jobcentre, item_id=item.pk)
    context.update({"item": item, "on": on, "jobcentre": jobcentre, "staff": staff})
    context["to_tick"] = [member for member in staff if not member.completed]
    context["done"] = [member for member in staff if member.completed]

    if request.method == "POST":
        ticked = _ids(request.POST.getlist("attendee"))
        in_scope = attendance_staff_in_scope(scope=scope, user_ids=ticked)
        outside = [user_id for user_id in ticked if user_id not in in_scope]
        if outside:
            audit_log("attendance.out_of_scope", request=request, item_id=item.pk, user_ids=outside)
            raise PermissionDenied("Some of the people sent are not staff in the area you manage.")
        at_site = {member.user_id for member in staff}
        if not ticked:
            context["attendee_error"] = "Select everyone who was at the team meeting"
        elif any(user_id not in at_site for user_id in ticked):
            # In scope, but no longer at this jobcentre: the list changed since the page was loaded.
            context["attendee_error"] = "The staff at this jobcentre have changed. Check the list and select again"
        else:
            token = _pending_add(
                request,
                {"kind": SCREENING, "item": item.pk, "on": on.isoformat(), "site": jobcentre.pk, "user_ids": ticked},
            )
            return redirect("lms:attendance_check", token=token)
        context["ticked"] = set(ticked)
    return render(request, "lms/attendance/screening.html", context)


@manager_view(("GET", "HEAD", "POST"))
def attendance_check(request, token: str):
    """Step 2: show what will be recorded (GET); record it (POST); afterwards, show what was recorded (GET)."""
    scope = _scope(request)
    entry = _pending_get(request, token)
    item = attendance_item(item_id=entry["item"])
    if item is None:
        raise Http404("That learning is no longer on JCP Learning")
    if entry["done"] is not None:
        return _done_page(request, entry=entry, item=item, scope=scope)
    if entry["kind"] == TEAMS:
        return _check_teams(request, token=token, entry=entry, item=item, scope=scope)
    return _check_screening(request, token=token, entry=entry, item=item, scope=scope)


def _check_teams(request, *, token, entry, item, scope):
    attendees = [Attendee.from_dict(row) for row in entry["attendees"]]
    matching = attendance_match(scope=scope, item_id=item.pk, attendees=attendees)
    context = {"entry": entry, "item": item, "scope": scope, "matching": matching, "token": token}
    context["counts"] = {
        "total": len(attendees),
        "to_record": len(matching.to_record),
        "already": len(matching.matched) - len(matching.to_record),
        "unmatched": len(matching.unmatched),
    }
    context["chosen"] = {row.index for row in matching.to_record}
    try:
        attendance_check_item(item=item, method=CompletionMethod.ATTENDED_LIVE, now=timezone.now())
    except AttendanceRefused as refusal:
        context["refusal"] = refusal.message
    if request.method == "POST" and "refusal" not in context:
        chosen = set(_ids(request.POST.getlist("row")))
        # Only rows of this report that match someone the manager may record; anything else sent is ignored.
        user_ids = [row.staff.user_id for row in matching.to_record if row.index in chosen]
        if user_ids:
            return _record(request, token=token, entry=entry, item=item, scope=scope, user_ids=user_ids)
        context["error"] = "Select at least one person to record, or cancel"
        context["chosen"] = chosen
    return render(request, "lms/attendance/check_teams.html", context)


def _check_screening(request, *, token, entry, item, scope):
    on = datetime.date.fromisoformat(entry["on"])
    staff = attendance_staff_in_scope(scope=scope, user_ids=entry["user_ids"], item_id=item.pk)
    people = [staff[user_id] for user_id in entry["user_ids"] if user_id in staff]
    context = {
        "entry": entry,
        "item": item,
        "on": on,
        "scope": scope,
        "token": token,
        "to_record": [member for member in people if not member.completed],
        "already": [member for member in people if member.completed],
        "gone": len(entry["user_ids"]) - len(people),
        "jobcentre": Jobcentre.objects.filter(pk=entry["site"]).first(),
    }
    try:
        attendance_check_item(item=item, method=CompletionMethod.GROUP_SCREENING, now=timezone.now(), on=on)
    except AttendanceRefused as refusal:
        context["refusal"] = refusal.message
    if request.method == "POST" and "refusal" not in context and context["to_record"]:
        user_ids = [member.user_id for member in context["to_record"]]
        return _record(request, token=token, entry=entry, item=item, scope=scope, user_ids=user_ids, on=on)
    return render(request, "lms/attendance/check_screening.html", context)


def _record(request, *, token, entry, item, scope, user_ids, on=None):
    method = CompletionMethod.ATTENDED_LIVE if entry["kind"] == TEAMS else CompletionMethod.GROUP_SCREENING
    try:
        outcome = attendance_record(
            recorded_by=request.user,
            scope=scope,
            item=item,
            method=method,
            user_ids=user_ids,
            on=on,
            source=entry["kind"],
        )
    except AttendanceRefused:  # the item changed a moment ago: the check page (GET) says how
        return redirect("lms:attendance_check", token=token)
    entry = {**entry, "done": {**outcome.to_dict(), "at": timezone.now().isoformat()}}
    entry.pop("attendees", None)  # the report's rows are no longer needed
    _pending_save(request, token, entry)
    return redirect("lms:attendance_check", token=token)


def _done_page(request, *, entry, item, scope):
    done = entry["done"]
    users = get_user_model().objects.in_bulk(done["recorded"])
    recorded = sorted(
        (
            users[user_id].get_full_name() or users[user_id].get_username()
            for user_id in done["recorded"]
            if user_id in users
        ),
        key=str.lower,
    )
    context = {
        "entry": entry,
        "item": item,
        "scope": scope,
        "recorded": recorded,
        "already": len(done["already"]),
        "refused": len(done["refused"]),
        "again_url": reverse("lms:attendance_screening")
        if entry["kind"] == SCREENING
        else reverse("lms:attendance_upload"),
    }
    return render(request, "lms/attendance/done.html", context)


def _ids(values: list[str]) -> list[int]:
    """Whole numbers from a form's repeated field, in order, without repeats; anything else is dropped."""
    ids: dict[int, None] = {}
    for value in values:
        value = value.strip()
        if value.isdigit() and len(value) < 12:
            ids[int(value)] = None
    return list(ids)
