"""Erasure: every stored object of a video (every version, where the bucket keeps versions) and its rows."""

import logging
from uuid import UUID

from django.db import transaction

from media_pipeline import keys
from media_pipeline.models import Video
from media_pipeline.storage import objects_delete_prefix

logger = logging.getLogger(__name__)


def video_erase(*, video_id: UUID) -> int:
    """Delete the video's objects, then its rows. Returns how many objects (or versions) were deleted.

    Objects go first: if storage fails part-way the rows remain, so the erasure can simply be run again.
    Erasing a video that is already gone is not an error.
    """
    deleted = sum(objects_delete_prefix(prefix) for prefix in keys.video_prefixes(video_id))
    with transaction.atomic():
        Video.objects.filter(pk=video_id).delete()
    logger.info("video %s erased: %s stored objects deleted", video_id, deleted)
    return deleted
