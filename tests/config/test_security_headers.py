"""Security headers on what learners, authors and browsers' media elements receive, and under production settings.

Every response: a strict Content-Security-Policy (no 'unsafe-inline' or 'unsafe-eval', object-src and base-uri
'none', no framing), X-Content-Type-Options nosniff, Referrer-Policy, X-Frame-Options DENY – except Wagtail's
preview, the one response shown in a frame (inside the admin), which is SAMEORIGIN with frame-ancestors 'self'.
"""

import json

import pytest
from django.urls import reverse

from media_pipeline.services.ingest import CaptionUpload, video_create, video_process
from media_pipeline.synthetic import make_clip
from tests.config.test_settings import PRODUCTION_ENV, run_django
from tests.lms import factories
from tests.lms.authoring import module_form_data

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_hardened(response, *, framed: bool = False) -> None:
    policy = csp_directives(response)
    header = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    if framed:
        assert response["X-Frame-Options"] == "SAMEORIGIN" and policy["frame-ancestors"] == ["'self'"]
    else:
        assert response["X-Frame-Options"] == "DENY" and policy["frame-ancestors"] == ["'none'"]


@pytest.fixture
def live_module(tmp_path, home_page):
    clip = make_clip(tmp_path / "film.mp4", seconds=2, width=320, height=240, title="Film")
    vtt = tmp_path / "film.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:01.500\nHello and welcome.\n")
    video = video_create(
        title="Film", video_path=clip, original_filename="film.mp4", captions=[CaptionUpload(vtt, "film.vtt")]
    )
    video = video_process(video_id=video.pk)
    index = factories.learning_index(home_page)
    return factories.module(factories.series(index), title="Housing first", video=video)


def test_a_learning_page_is_hardened(client, learner, live_module):
    client.force_login(learner, backend=MODEL_BACKEND)

    response = client.get(live_module.url)

    assert response.status_code == 200
    assert_hardened(response)


@pytest.mark.parametrize("what", ["rendition", "rendition range", "poster", "captions"])
def test_media_and_caption_responses_are_hardened(client, learner, live_module, what):
    video = live_module.video
    client.force_login(learner, backend=MODEL_BACKEND)
    url, headers = {
        "rendition": (reverse("media:play", args=[video.pk, "360p"]), {}),
        "rendition range": (reverse("media:play", args=[video.pk, "360p"]), {"Range": "bytes=0-99"}),
        "poster": (reverse("media:poster", args=[video.pk]), {}),
        "captions": (reverse("media:captions", args=[video.caption_tracks.get().pk]), {}),
    }[what]

    response = client.get(url, headers=headers)

    assert response.status_code in (200, 206)
    assert response["Content-Type"] in ("video/mp4", "image/jpeg", "text/vtt; charset=utf-8")
    assert_hardened(response)


def test_the_presigned_redirect_to_s3_is_hardened(client, editor, s3_bucket, tmp_path):
    clip = make_clip(tmp_path / "film.mp4", seconds=2, width=320, height=240)
    video = video_process(video_id=video_create(title="Film", video_path=clip, original_filename="f.mp4").pk)
    client.force_login(editor, backend=MODEL_BACKEND)

    response = client.get(reverse("media:play", args=[video.pk, "720p"]))

    assert response.status_code == 302
    assert_hardened(response)


@pytest.mark.parametrize(
    ("url", "status"),
    [("/no-such-page/", 404), ("/healthz", 200), ("/accounts/login/", 200), ("/api/progress/", 405)],
)
def test_error_pages_sign_in_and_json_are_hardened(client, home_page, url, status):
    response = client.get(url)

    assert response.status_code == status
    assert_hardened(response)


def test_the_admin_is_hardened_and_only_its_preview_may_be_framed(client, editor, live_module):
    client.force_login(editor, backend=MODEL_BACKEND)
    preview_url = f"/admin/pages/{live_module.pk}/edit/preview/"

    assert_hardened(client.get("/admin/"))
    assert_hardened(client.get(f"/admin/pages/{live_module.pk}/edit/"))
    stored = client.post(preview_url, module_form_data(title="Housing first", video=live_module.video))
    assert stored.status_code == 200 and stored.json()["is_valid"], stored.content
    preview = client.get(preview_url)

    assert preview.status_code == 200 and b"Housing first" in preview.content
    assert_hardened(preview, framed=True)


# --- Production settings ------------------------------------------------------------------------------------------

PROBE = """
import json
from django.test import Client
from django.conf import settings
client = Client(HTTP_HOST="learning.example.dwp.gov.uk")
plain = client.get("/healthz")
secure = client.get("/healthz", secure=True)
signin = client.get("/accounts/login/", secure=True)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "secure_status": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security", ""),
    "csrf_cookie_secure": signin.cookies["csrftoken"]["secure"],
    "csp": secure.get("Content-Security-Policy", ""),
    "nosniff": secure.get("X-Content-Type-Options", ""),
    "frame": secure.get("X-Frame-Options", ""),
    "session_cookie": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY],
    "csrf_cookie": settings.CSRF_COOKIE_SECURE,
    "proxy_header": list(settings.SECURE_PROXY_SSL_HEADER),
    "csp_directives": dict(
        (part.split()[0], part.split()[1:]) for part in signin["Content-Security-Policy"].split(";") if part.strip()
    ),
}))
"""


def test_production_sends_hsts_redirects_to_https_and_marks_cookies_secure():
    s3 = {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "jcp-media",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9",  # nothing listens: healthz fails fast, on this machine
        "MEDIA_ORIGIN": "https://media.example.net",
    }
    result = run_django(["shell", "-c", PROBE], {**PRODUCTION_ENV, **s3})

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, "https://learning.example.dwp.gov.uk/healthz"]
    assert seen["secure_status"] in (200, 503)  # healthz answers (503: this machine has no such bucket)
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["csrf_cookie_secure"] is True
    assert seen["session_cookie"] == [True, True] and seen["csrf_cookie"] is True
    assert seen["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert "'unsafe-inline'" not in seen["csp"] and "object-src 'none'" in seen["csp"]
    assert seen["nosniff"] == "nosniff" and seen["frame"] == "DENY"
    # The media origin (a CDN here) may serve video and posters, and nothing else.
    policy = seen["csp_directives"]
    assert policy["media-src"] == ["'self'", "https://media.example.net"]
    assert "https://media.example.net" in policy["img-src"]
    assert all(policy[name] == ["'self'"] for name in ("default-src", "script-src", "connect-src", "style-src"))
    assert policy["frame-ancestors"] == ["'none'"]
