"""A learner's personal data: export it, erase it, and prune heartbeat detail past its retention period.

What counts as personal data, model by model, is declared in ``lms.privacy``.
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from home.audit import audit_log
from lms.models import Completion, HeartbeatReceipt, ManagerScope, Progress, StaffProfile, WatchSession


def learner_data_export(*, user) -> dict:
    """Everything the product holds about ``user`` as learner, as JSON-ready data (for a subject access request).

    Heartbeat detail is included as it is stored (it is pruned after the retention period).
    """
    profile = StaffProfile.objects.filter(user=user).select_related("jobcentre").first()
    sessions = (
        WatchSession.objects.filter(user=user)
        .select_related("item")
        .prefetch_related("receipts")
        .order_by("first_seen_at")
    )
    return {
        "account": {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "is_active": user.is_active,
            "roles": sorted(user.groups.values_list("name", flat=True)),
        },
        "staff_profile": None
        if profile is None
        else {
            "jobcentre": profile.jobcentre.name if profile.jobcentre else None,
            "jobcentre_code": profile.jobcentre.code if profile.jobcentre else None,
            "job_role": profile.get_job_role_display(),
        },
        "manager_scopes": [str(scope) for scope in ManagerScope.objects.filter(user=user)],
        "progress": [
            {
                "item": row.item_id,
                "title": row.item.title,
                "watched_seconds": round(row.watched_seconds, 2),
                "percent": row.percent,
                "position": round(row.position, 2),
                "ranges": row.ranges,
                "started_at": _iso(row.started_at),
                "updated_at": _iso(row.updated_at),
            }
            for row in Progress.objects.filter(user=user).select_related("item").order_by("started_at", "pk")
        ],
        "completions": [
            {
                "item": row.item_id,
                "title": row.item.title,
                "completed_at": _iso(row.completed_at),
                "method": row.get_method_display(),
                "jobcentre": row.jobcentre.name if row.jobcentre else None,
            }
            for row in Completion.objects.filter(user=user)
            .select_related("item", "jobcentre")
            .order_by("completed_at", "pk")
        ],
        "watch_sessions": [
            {
                "session": str(session.session),
                "item": session.item_id,
                "title": session.item.title,
                "first_seen_at": _iso(session.first_seen_at),
                "last_accepted_at": _iso(max((r.received_at for r in session.receipts.all()), default=None)),
                "heartbeats": [
                    {"seq": receipt.seq, "received_at": _iso(receipt.received_at), "ranges": receipt.ranges}
                    for receipt in sorted(session.receipts.all(), key=lambda receipt: receipt.seq)
                ],
            }
            for session in sessions
        ],
    }


def learner_erase(*, user, erased_by=None) -> dict:
    """Erase a learner: their account and everything hanging off it (profile, progress, completions, heartbeats,
    admin preferences), and their sign-in records. Report counts follow at once (the roll-up is adjusted as the
    staff record goes). Content they authored stays, with the author link set to null (see ``lms.privacy``).
    """
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    username = user.get_username()
    user_id = user.pk
    with transaction.atomic():
        counts = {
            "progress": Progress.objects.filter(user=user).count(),
            "completions": Completion.objects.filter(user=user).count(),
            "watch_sessions": WatchSession.objects.filter(user=user).count(),
            "sign_in_records": sum(
                model.objects.filter(username=username).delete()[0]
                for model in (AccessAttempt, AccessFailureLog, AccessLog)
            ),
        }
        get_user_model().objects.filter(pk=user_id).delete()
    audit_log("learner.erased", user_id=user_id, erased_by=getattr(erased_by, "pk", None), **counts)
    return {"user_id": user_id, **counts}


def heartbeat_detail_prune(*, older_than: timedelta, now: datetime | None = None) -> dict:
    """Delete watch sessions (and their heartbeats) whose last activity is older than ``older_than``.

    Progress (merged ranges, resume point) and completions are kept: they are what the learner and the reports
    need; the per-heartbeat detail only serves abuse checks and idempotency while a session is live.
    """
    cutoff = (now or timezone.now()) - older_than
    last_heartbeat = HeartbeatReceipt.objects.filter(watch_session=OuterRef("pk")).order_by("-received_at")
    stale = WatchSession.objects.alias(
        last=Coalesce(Subquery(last_heartbeat.values("received_at")[:1]), "first_seen_at")
    ).filter(last__lt=cutoff)
    heartbeats = HeartbeatReceipt.objects.filter(watch_session__in=stale).count()
    totals = stale.aggregate(sessions=Count("pk"))
    stale.delete()
    result = {"cutoff": cutoff.isoformat(), "sessions_deleted": totals["sessions"], "heartbeats_deleted": heartbeats}
    audit_log("retention.heartbeats_pruned", **result)
    return result


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
