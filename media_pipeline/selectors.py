"""Who may see a video: reads only."""

from wagtail.models import Page, ReferenceIndex

from media_pipeline.models import Video


def video_pages(*, video: Video):
    """The pages that use `video` (through any field or block), from Wagtail's reference index."""
    page_ids = (
        ReferenceIndex.get_references_to(video)
        .filter(base_content_type__app_label="wagtailcore", base_content_type__model="page")
        .values_list("object_id", flat=True)
    )
    return Page.objects.filter(pk__in=[int(pk) for pk in page_ids if str(pk).isdigit()])


def video_viewable_by(*, user, video: Video, request=None) -> bool:
    """True when the user may play the video.

    Authors (anyone who may use the admin) may play every video – they preview drafts. Everyone else may play
    a video only when a live page that uses it is one they may view.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm("wagtailadmin.access_admin"):
        return True
    for page in video_pages(video=video).live().specific(defer=True):
        if all(restriction.accept_request(request) for restriction in page.get_view_restrictions()):
            return True
    return False
