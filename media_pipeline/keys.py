"""Object keys in the media bucket. Generated from UUIDs only, never from an uploader's file name.

Everything a video owns lives under one of `video_prefixes(video_id)`, which is what erasure deletes.
"""

from uuid import UUID


def original_key(video_id: UUID) -> str:
    return f"originals/{video_id}/source"


def caption_source_key(video_id: UUID, track_id: UUID) -> str:
    return f"originals/{video_id}/captions/{track_id}"


def rendition_key(video_id: UUID, profile: str) -> str:
    return f"renditions/{video_id}/{profile}.mp4"


def poster_key(video_id: UUID) -> str:
    return f"posters/{video_id}/poster.jpg"


def caption_key(video_id: UUID, track_id: UUID) -> str:
    return f"captions/{video_id}/{track_id}.vtt"


AREAS = ("originals", "renditions", "posters", "captions")


def video_prefixes(video_id: UUID) -> list[str]:
    return [f"{area}/{video_id}/" for area in AREAS]
