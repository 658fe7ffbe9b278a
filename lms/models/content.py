"""Learning content: the page types, and the snippets they share (topics, content notes, contributors).

The tree: HomePage → LearningIndexPage → SeriesPage → ModulePage, and HumanLibraryFilmPage and WebinarPage under
the index. Modules, films and webinars are *learning items*: each can be watched, tracked and completed.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from lms.admin.forms import LearningItemPageForm, SeriesPageForm
from lms.blocks import IntroductionBlock, OutcomesBlock, QuestionsBlock, ResourcesBlock
from lms.page_permissions import AuthorPagePermissionsMixin
from lms.pages import LearnerPageMixin

DEFAULT_COMPLETION_THRESHOLD = 90
SET_THRESHOLD_PERMISSION = "lms.set_completion_threshold"


class Topic(index.Indexed, models.Model):
    """A subject learners browse by, e.g. 'Homelessness' or 'Trauma-informed practice'."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True, help_text="Used in the browse page's address.")
    description = models.TextField(blank=True, max_length=300)

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]
    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContentNote(models.Model):
    """A managed content note, shown before a film plays, e.g. 'Self-harm' or 'Substance use'."""

    name = models.CharField(max_length=80, unique=True, help_text="Short, plain words, e.g. 'Self-harm'.")
    description = models.CharField(
        max_length=200, blank=True, help_text="Optional: one sentence on what the film includes."
    )

    panels = [FieldPanel("name"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CreditPreference(models.TextChoices):
    FULL_NAME = "full_name", "Full name"
    FIRST_NAME = "first_name", "First name only"
    ANONYMOUS = "anonymous", "Anonymous"


class ContributorStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    WITHDRAWN = "withdrawn", "Consent withdrawn"


class Contributor(index.Indexed, models.Model):
    """A person with lived experience (or a presenter) who appears in or co-produced learning content.

    Their consent is recorded here. Withdrawing it takes every page featuring them offline and erases their media.
    """

    name = models.CharField(
        "name or pseudonym",
        max_length=120,
        help_text="The name the person asked us to use. Learners only see it as their credit preference allows.",
    )
    credit_preference = models.CharField(
        max_length=16,
        choices=CreditPreference.choices,
        default=CreditPreference.FIRST_NAME,
        help_text="How the person asked to be credited on the pages they appear in.",
    )
    organisation = models.CharField(
        max_length=120, blank=True, help_text="Optional: a partner organisation they came through, e.g. a charity."
    )
    consent_scope = models.TextField(
        "what they agreed to",
        help_text="In plain words: what was filmed or recorded, where it may be shown and for how long.",
    )
    consent_given_on = models.DateField("date consent was given", default=timezone.localdate)
    consent_review_on = models.DateField(
        "review consent by", help_text="When to check with the person that they are still happy. Usually a year."
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=ContributorStatus.choices, default=ContributorStatus.ACTIVE, editable=False
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_reason = models.TextField(blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    search_fields = [index.SearchField("name"), index.AutocompleteField("name"), index.SearchField("organisation")]
    panels = [
        FieldPanel("name"),
        FieldPanel("credit_preference"),
        FieldPanel("organisation"),
        MultiFieldPanel(
            [
                FieldPanel("consent_scope"),
                FieldRowPanel([FieldPanel("consent_given_on"), FieldPanel("consent_review_on")]),
            ],
            heading="Consent",
        ),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        suffix = " (consent withdrawn)" if self.is_withdrawn else ""
        return f"{self.name}{suffix}"

    @property
    def is_withdrawn(self) -> bool:
        return self.status == ContributorStatus.WITHDRAWN

    @property
    def credit(self) -> str:
        """The name shown to learners, as the person chose."""
        if self.credit_preference == CreditPreference.ANONYMOUS:
            return "Anonymous contributor"
        if self.credit_preference == CreditPreference.FIRST_NAME:
            return self.name.split()[0] if self.name.split() else self.name
        return self.name


class LearningIndexPage(AuthorPagePermissionsMixin, LearnerPageMixin, Page):
    """Browse: every series, film and webinar, filtered by topic."""

    introduction = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["lms.SeriesPage", "lms.HumanLibraryFilmPage", "lms.WebinarPage"]

    class Meta:
        verbose_name = "learning index page"


class SeriesPage(AuthorPagePermissionsMixin, LearnerPageMixin, Page):
    """A series of modules taken in order. It is complete when all its required modules are."""

    summary = models.TextField(max_length=300, help_text="One or two sentences shown on the browse page.")
    introduction = StreamField(IntroductionBlock(), blank=True, use_json_field=True)
    topics = ParentalManyToManyField(Topic, blank=True, related_name="series_pages")
    is_demo = models.BooleanField(
        default=False, editable=False, help_text="Made by seed_demo; pages show a 'demonstration content' banner."
    )

    search_fields = Page.search_fields + [index.SearchField("summary")]
    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("introduction"), FieldPanel("topics")]
    base_form_class = SeriesPageForm

    parent_page_types = ["lms.LearningIndexPage"]
    subpage_types = ["lms.ModulePage"]

    class Meta:
        verbose_name = "series page"


class LearningItemPage(AuthorPagePermissionsMixin, LearnerPageMixin, Page):
    """What modules, films and webinars share: a video that learners watch to complete the item."""

    summary = models.TextField(max_length=300, help_text="One or two sentences shown on the browse page.")
    video = models.ForeignKey(
        "media_pipeline.Video",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Choose an uploaded video. It must be processed and have English captions before it can go live.",
    )
    completion_threshold = models.PositiveSmallIntegerField(
        "completion threshold (%)",
        default=DEFAULT_COMPLETION_THRESHOLD,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
        help_text="How much of the video, in unique seconds watched, counts as complete. Editors only.",
    )
    topics = ParentalManyToManyField(Topic, blank=True, related_name="+")
    contributors = ParentalManyToManyField(
        Contributor,
        blank=True,
        related_name="+",
        help_text="Everyone who appears in the video or co-produced it. They are credited as they chose.",
    )
    resources = StreamField(ResourcesBlock(), blank=True, use_json_field=True)
    is_demo = models.BooleanField(
        default=False, editable=False, help_text="Made by seed_demo; pages show a 'demonstration content' banner."
    )

    search_fields = Page.search_fields + [index.SearchField("summary")]
    base_form_class = LearningItemPageForm

    class Meta:
        abstract = True

    def publish(self, revision, user=None, changed=True, log_action=True, previous_revision=None, **kwargs):
        """Publish (or schedule) ``revision`` only if learners could watch it with captions: the publish gate.

        Every route through Wagtail that publishes a page object ends here (``revision.publish()``, workflow
        approval, bulk publish, ``publish_scheduled``); see ``lms.services.publishing`` for the others.
        """
        from lms.services.publishing import revision_publish_guard

        if not revision_publish_guard(revision=revision, log_action=log_action, user=user):
            return None
        return super().publish(
            revision, user=user, changed=changed, log_action=log_action, previous_revision=previous_revision, **kwargs
        )

    @property
    def duration(self) -> float | None:
        """The video's length in seconds, measured by the pipeline."""
        return self.video.duration if self.video_id and self.video else None

    @property
    def is_trackable(self) -> bool:
        return bool(self.video_id and self.video and self.video.duration)


_VIDEO_PANELS = [FieldPanel("video"), FieldPanel("completion_threshold", permission=SET_THRESHOLD_PERMISSION)]


class ModulePage(LearningItemPage):
    """One module of a series: a video with what to think about before and after."""

    is_required = models.BooleanField(
        "required for the series", default=True, help_text="Untick for optional extra modules."
    )
    learning_outcomes = StreamField(OutcomesBlock(), blank=True, use_json_field=True)
    before_you_watch = RichTextField(
        blank=True,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text="What learners should know or think about before they press play.",
    )
    reflective_questions = StreamField(QuestionsBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        *_VIDEO_PANELS,
        FieldPanel("is_required"),
        FieldPanel("learning_outcomes"),
        FieldPanel("before_you_watch"),
        FieldPanel("reflective_questions"),
        FieldPanel("resources"),
        FieldPanel("contributors"),
        FieldPanel("topics"),
    ]

    parent_page_types = ["lms.SeriesPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "module page"
        # Held by editors; it guards the threshold field on every learning item, not only modules.
        permissions = [("set_completion_threshold", "Can set the completion threshold of learning items")]


class HumanLibraryFilmPage(LearningItemPage):
    """A short film in which one person tells their own story, with content notes shown before it plays."""

    storyteller = models.ForeignKey(
        Contributor,
        on_delete=models.PROTECT,
        related_name="films",
        help_text="The person telling their story. They are credited as they chose.",
    )
    content_notes = ParentalManyToManyField(
        ContentNote,
        blank=True,
        related_name="films",
        help_text="Tick everything the film talks about that a viewer may find distressing.",
    )
    content_note_detail = models.TextField(
        blank=True, max_length=500, help_text="Optional: anything else viewers should know before they watch."
    )
    support = RichTextField(
        "support signposting",
        blank=True,
        features=["bold", "link", "ul"],
        help_text="Where viewers can get support. Leave empty to show the standard support information.",
    )
    reflective_questions = StreamField(QuestionsBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("storyteller"),
        *_VIDEO_PANELS,
        MultiFieldPanel(
            [FieldPanel("content_notes"), FieldPanel("content_note_detail"), FieldPanel("support")],
            heading="Before the film",
        ),
        FieldPanel("reflective_questions"),
        FieldPanel("resources"),
        FieldPanel("contributors"),
        FieldPanel("topics"),
    ]

    parent_page_types = ["lms.LearningIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "human library film"


class WebinarPage(LearningItemPage):
    """A webinar: when it runs, who presents, then its recording, slides and handouts."""

    starts_at = models.DateTimeField("date and time")
    duration_minutes = models.PositiveSmallIntegerField(
        "length (minutes)", default=60, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    presenters = ParentalManyToManyField(
        Contributor, blank=True, related_name="webinars", help_text="They are credited as they chose."
    )
    joining_instructions = RichTextField(
        blank=True, features=["bold", "link", "ul"], help_text="How to join live, e.g. the Teams meeting link."
    )
    attendance_completes = models.BooleanField(
        "attending live completes it",
        default=True,
        help_text="If ticked, managers can record live attendance and it counts as complete.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("duration_minutes")]),
        FieldPanel("presenters"),
        FieldPanel("joining_instructions"),
        FieldPanel("attendance_completes"),
        *_VIDEO_PANELS,
        FieldPanel("resources", heading="Slides and handouts"),
        FieldPanel("contributors"),
        FieldPanel("topics"),
    ]

    parent_page_types = ["lms.LearningIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "webinar page"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)


LEARNING_ITEM_MODELS = (ModulePage, HumanLibraryFilmPage, WebinarPage)
