"""Watching and completion: heartbeat sessions, each learner's merged progress per item, and completions.

``Progress.ranges`` holds the merged watched ranges (``lms.intervals``); ``watched_seconds`` is their total.
A ``Completion`` is written once per learner and item, with how it was earned and the learner's site at the time.
``WatchSession`` and ``HeartbeatReceipt`` are the heartbeat detail that the retention command prunes.
"""

from django.conf import settings
from django.db import models


class WatchSession(models.Model):
    """One page view's heartbeat stream (the client's ``session`` uuid), for the wall-clock plausibility check.

    When it last had a heartbeat accepted is its latest receipt's ``received_at`` (not a column here, so an
    accepted heartbeat writes one row fewer).
    """

    # No index of its own: the unique constraint and the index below start with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watch_sessions", db_index=False
    )
    item = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    session = models.UUIDField()
    first_seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "session"], name="watch_session_unique_per_user")]
        indexes = [
            models.Index(fields=["first_seen_at"], name="watch_session_first_seen"),
            # The heartbeat rate limit, read by every heartbeat: this learner's sessions on an item, and when the
            # recent ones started.
            models.Index(fields=["user", "item", "first_seen_at"], name="watch_session_user_item"),
        ]

    def __str__(self) -> str:
        return f"{self.user} watching {self.item_id} ({self.session})"


class HeartbeatReceipt(models.Model):
    """One accepted heartbeat. Its ``(session, seq)`` makes a replay harmless."""

    # No index of its own: the two below start with it.
    watch_session = models.ForeignKey(WatchSession, on_delete=models.CASCADE, related_name="receipts", db_index=False)
    seq = models.PositiveIntegerField()
    received_at = models.DateTimeField()
    ranges = models.JSONField(default=list)
    added_seconds = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["watch_session", "seq"], name="heartbeat_unique_seq")]
        # When the session last had a heartbeat accepted, read by every heartbeat: one index entry.
        indexes = [models.Index(fields=["watch_session", "-received_at"], name="heartbeat_session_latest")]

    def __str__(self) -> str:
        return f"heartbeat {self.seq} of {self.watch_session_id}"


class Progress(models.Model):
    """A learner's progress on one learning item: what they have watched and where to resume."""

    # No index of its own: the unique constraint starts with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress", db_index=False
    )
    item = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    ranges = models.JSONField(default=list, help_text="Merged [start, end] seconds watched.")
    watched_seconds = models.FloatField(default=0)
    duration = models.FloatField(help_text="The item's video length in seconds when progress was last recorded.")
    position = models.FloatField(default=0, help_text="Where the learner last was, in seconds.")
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(
        default=0, help_text="Raised by one on every write: a heartbeat writes only the version it read."
    )

    class Meta:
        verbose_name_plural = "progress"
        # Only these two indexes and the item's: a heartbeat writes no indexed column, so PostgreSQL can update
        # the row in place (a HOT update, with the free space migration 0009 leaves in each page).
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="progress_unique_per_item")]

    def __str__(self) -> str:
        return f"{self.user} on {self.item_id}: {self.percent}%"

    @property
    def percent(self) -> int:
        if not self.duration:
            return 0
        return min(100, int(100 * self.watched_seconds / self.duration))


class CompletionMethod(models.TextChoices):
    WATCHED = "watched", "Watched"
    ATTENDED_LIVE = "attended_live", "Attended live"
    GROUP_SCREENING = "group_screening", "Group screening"
    SERIES = "series", "Completed every required module"


class Completion(models.Model):
    """A learner completed an item (module, film, webinar or series). Written once; never updated."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions")
    item = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField()
    method = models.CharField(max_length=24, choices=CompletionMethod.choices)
    jobcentre = models.ForeignKey(
        "lms.Jobcentre",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where the learner worked when they completed it.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The manager who recorded attendance, for completions not earned by watching.",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="completion_once_per_item")]
        indexes = [models.Index(fields=["item", "completed_at"], name="completion_item_date")]

    def __str__(self) -> str:
        return f"{self.user} completed {self.item_id} ({self.get_method_display()})"
