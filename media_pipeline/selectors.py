"""Who may see a video: reads only."""

from django.db.models import Q
from wagtail.models import Page, ReferenceIndex

from media_pipeline.models import Video


def _page_foreign_keys() -> list[tuple[type[Page], str]]:
    """(page model, field name) for every page field that points at Video directly (e.g. a module's video)."""
    return [
        (relation.related_model, relation.field.name)
        for relation in Video._meta.get_fields(include_hidden=True)
        if relation.one_to_many and issubclass(relation.related_model, Page)
    ]


def video_pages(*, video: Video):
    """The pages that use `video`: through a page's foreign key (read straight from the page tables, so it is
    right the moment a page is published) or inside a block (from Wagtail's reference index, which the task
    queue updates after a save)."""
    direct = Q()
    for model, field in _page_foreign_keys():
        direct |= Q(pk__in=model.objects.filter(**{field: video}).values("pk"))
    indexed = (
        ReferenceIndex.get_references_to(video)
        .filter(base_content_type__app_label="wagtailcore", base_content_type__model="page")
        .values_list("object_id", flat=True)
    )
    indexed_ids = [int(pk) for pk in indexed if str(pk).isdigit()]
    return Page.objects.filter(direct | Q(pk__in=indexed_ids))


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
