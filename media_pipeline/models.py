"""Videos, their renditions and caption tracks. Files live in the private media bucket under app keys."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from wagtail.search import index


class VideoStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded – waiting to be processed"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be processed"


class Video(index.Indexed, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=255, help_text="What the video is called. Learners see this title.")
    status = models.CharField(max_length=16, choices=VideoStatus.choices, default=VideoStatus.UPLOADED, db_index=True)
    failure_reason = models.TextField(blank=True, help_text="Why processing failed, in words an author can act on.")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times processing has started.")
    # The processing job that holds the video's lease (renewed through updated_at); a job whose token has been
    # replaced was presumed lost and must stop without writing (services/ingest.py).
    lease_token = models.UUIDField(null=True, blank=True, editable=False)

    original_key = models.CharField(max_length=255, blank=True)
    original_filename = models.CharField(
        max_length=255, blank=True, help_text="The name of the uploaded file, shown to authors only."
    )
    original_bytes = models.BigIntegerField(null=True, blank=True)
    original_sha256 = models.CharField(max_length=64, blank=True)

    duration = models.FloatField(null=True, blank=True, help_text="Seconds, measured from the video itself.")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    container = models.CharField(max_length=16, blank=True)
    video_codec = models.CharField(max_length=32, blank=True)
    audio_codec = models.CharField(max_length=32, blank=True)

    poster_key = models.CharField(max_length=255, blank=True)
    poster_width = models.PositiveIntegerField(null=True, blank=True)
    poster_height = models.PositiveIntegerField(null=True, blank=True)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    search_fields = [index.SearchField("title"), index.AutocompleteField("title"), index.FilterField("status")]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "video"

    def __str__(self) -> str:
        return self.title

    @property
    def is_ready(self) -> bool:
        return self.status == VideoStatus.READY

    @cached_property
    def duration_display(self) -> str:
        if self.duration is None:
            return ""
        minutes, seconds = divmod(round(self.duration), 60)
        return f"{minutes}:{seconds:02d}"


class Rendition(models.Model):
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="renditions")
    profile = models.CharField(max_length=16)
    key = models.CharField(max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    bitrate = models.PositiveIntegerField(help_text="Bits per second, averaged over the file.")
    bytes = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-height"]
        constraints = [models.UniqueConstraint(fields=["video", "profile"], name="one_rendition_per_profile")]

    def __str__(self) -> str:
        return f"{self.video} – {self.profile}"


class CaptionKind(models.TextChoices):
    CAPTIONS = "captions", "Captions (speech and sounds, same language)"
    SUBTITLES = "subtitles", "Subtitles (translation)"
    DESCRIPTIONS = "descriptions", "Audio descriptions (text)"
    CHAPTERS = "chapters", "Chapters"


class CaptionTrack(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="caption_tracks")
    language = models.CharField(
        max_length=35, default="en-GB", help_text="The language of the text, e.g. en-GB for English, cy for Welsh."
    )
    kind = models.CharField(max_length=16, choices=CaptionKind.choices, default=CaptionKind.CAPTIONS)
    label = models.CharField(max_length=100, default="English", help_text="The name learners see, e.g. 'English'.")
    source_key = models.CharField(max_length=255)
    source_format = models.CharField(max_length=8, blank=True, help_text="vtt or srt, as detected.")
    source_filename = models.CharField(max_length=255, blank=True)
    vtt_key = models.CharField(max_length=255, blank=True, help_text="The normalised WebVTT served to browsers.")
    cue_count = models.PositiveIntegerField(default=0)
    lint = models.JSONField(default=list, blank=True, help_text="Problems found in the captions.")
    error_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["language", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["video", "language", "kind"], name="one_track_per_language_and_kind")
        ]

    def __str__(self) -> str:
        return f"{self.video} – {self.label} ({self.get_kind_display()})"

    @property
    def is_english_captions(self) -> bool:
        return self.kind == CaptionKind.CAPTIONS and self.language.lower().split("-")[0] == "en"

    @property
    def warning_count(self) -> int:
        return len(self.lint) - self.error_count
