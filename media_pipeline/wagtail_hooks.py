"""Admin wiring for videos: the Videos menu item and views, the video chooser, and their history entries."""

from wagtail import hooks

from media_pipeline.admin.viewsets import video_chooser_viewset, video_viewset


@hooks.register("register_admin_viewset")
def register_video_viewsets():
    return [video_viewset, video_chooser_viewset]


@hooks.register("register_log_actions")
def register_video_log_actions(actions):
    actions.register_action("media_pipeline.reprocess", "Reprocess", "Queued for processing again")
    actions.register_action("media_pipeline.caption_add", "Add captions", "Caption file added or replaced")
