from django.urls import path

from media_pipeline import views

app_name = "media"

urlpatterns = [
    path("play/<uuid:video_id>/<slug:profile>/", views.play_rendition, name="play"),
    path("poster/<uuid:video_id>/", views.poster, name="poster"),
    path("captions/<uuid:track_id>.vtt", views.caption_track, name="captions"),
]
