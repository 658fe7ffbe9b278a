"""The video admin (a ModelViewSet) and the video chooser (a ChooserViewSet), registered in wagtail_hooks.py.

Page models use the chooser without naming it: registering `video_chooser_viewset` makes every admin form
field for a `ForeignKey(Video)` use `VideoChooserWidget`, so `FieldPanel("video")` gets the chooser. StreamFields
can use `VideoChooserBlock`.
"""

from django import forms
from django.urls import path
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView, ChosenMultipleView, ChosenView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet

from home.admin_choosers import MalformedIdNotFoundMixin, MalformedIdsIgnoredMixin
from media_pipeline.admin import views
from media_pipeline.forms import VideoUploadForm
from media_pipeline.models import Video


def _status_column(**kwargs) -> StatusTagColumn:
    return StatusTagColumn(
        "status",
        label="Status",
        accessor="get_status_display",
        primary=lambda video: video.is_ready,
        **kwargs,
    )


class VideoViewSet(ModelViewSet):
    model = Video
    name = "videos"
    icon = "media"
    menu_label = "Videos"
    menu_order = 350  # after Images (300), before Documents (400)
    add_to_admin_menu = True
    copy_view_enabled = False  # a copy would share nothing with the original: upload again instead
    form_fields = ["title"]  # the edit form; uploads use VideoUploadForm

    index_view_class = views.VideoIndexView
    add_view_class = views.VideoUploadView
    edit_view_class = views.VideoEditView
    delete_view_class = views.VideoDeleteView

    list_filter = ["status"]
    # Search with the database, not the search backend: modelsearch's SQLite backend never matches a UUID
    # primary key (it compares the index's dashed text ids with SQLite's hex column).
    search_fields = ["title"]
    search_backend_name = None
    list_display = [
        "title",
        _status_column(sort_key="status"),
        Column("duration", label="Length", accessor="duration_display", sort_key="duration"),
        Column("captions", label="Captions", accessor=views.captions_summary),
        # Names only: Wagtail's UserColumn adds an avatar (a profile query per row, or a Gravatar image).
        Column("uploaded_by", label="Uploaded by", accessor=views.uploader_name),
        DateColumn("created_at", label="Uploaded", sort_key="created_at"),
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            status_url_name=self.get_url_name("status"),
            reprocess_url_name=self.get_url_name("reprocess"),
            caption_add_url_name=self.get_url_name("caption_add"),
            **kwargs,
        )

    def get_add_view_kwargs(self, **kwargs):
        return super().get_add_view_kwargs(panel=None, form_class=VideoUploadForm, **kwargs)

    @property
    def status_view(self):
        return self.construct_view(views.VideoStatusView)

    @property
    def reprocess_view(self):
        return self.construct_view(views.VideoReprocessView)

    @property
    def caption_add_view(self):
        return self.construct_view(views.VideoCaptionAddView)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("status/<uuid:pk>/", self.status_view, name="status"),
            path("reprocess/<uuid:pk>/", self.reprocess_view, name="reprocess"),
            path("captions/<uuid:pk>/", self.caption_add_view, name="caption_add"),
        ]


class VideoChooserFilterForm(BaseFilterForm):
    """Search by title, with the database (see VideoViewSet.search_fields)."""

    q = forms.CharField(
        label="Search term", required=False, widget=forms.TextInput(attrs={"placeholder": "Search by title"})
    )

    def filter(self, objects):
        objects = super().filter(objects)
        self.search_query = self.cleaned_data.get("q")
        if self.search_query:
            self.is_searching = True
            objects = objects.filter(title__icontains=self.search_query)
        return objects


class _VideoChooserColumns:
    filter_form_class = VideoChooserFilterForm

    @property
    def columns(self):
        return [
            *super().columns,
            _status_column(),
            Column("duration", label="Length", accessor="duration_display"),
        ]


class VideoChooseView(_VideoChooserColumns, ChooseView):
    pass


class VideoChooseResultsView(_VideoChooserColumns, ChooseResultsView):
    pass


class VideoChosenView(MalformedIdNotFoundMixin, ChosenView):
    pass


class VideoChosenMultipleView(MalformedIdsIgnoredMixin, ChosenMultipleView):
    pass


class VideoChooserViewSet(ChooserViewSet):
    """Every video is listed, with its status: a page can be drafted while its video is still processing
    (publishing checks that the video is ready)."""

    model = Video
    icon = "media"
    choose_one_text = "Choose a video"
    choose_another_text = "Choose another video"
    edit_item_text = "Edit video"
    choose_view_class = VideoChooseView
    choose_results_view_class = VideoChooseResultsView
    chosen_view_class = VideoChosenView
    chosen_multiple_view_class = VideoChosenMultipleView


video_viewset = VideoViewSet()
video_chooser_viewset = VideoChooserViewSet("video_chooser")

VideoChooserWidget = video_chooser_viewset.widget_class
VideoChooserBlock = video_chooser_viewset.get_block_class(
    name="VideoChooserBlock", module_path="media_pipeline.admin.viewsets"
)
