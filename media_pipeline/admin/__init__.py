"""The Wagtail admin for videos: listing, upload, the video's page (status, captions report, preview), chooser.

`views` holds the views, `viewsets` wires them into a ModelViewSet and a ChooserViewSet; `wagtail_hooks.py`
registers both. Writes go through `media_pipeline.services`; the views only translate between forms and services.
"""
