"""Audit events are single JSON lines: user-supplied CR/LF and quotes cannot forge a log entry."""

import io
import json
import logging

import pytest
from django.urls import reverse

from config.logging import JsonFormatter

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit_lines():
    """The formatted lines the audit logger writes while the test runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("jcp.audit")
    logger.addHandler(handler)
    previous_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)


def test_a_failed_sign_in_is_one_line_whatever_the_username_holds(client, audit_lines):
    forged = 'amira\n{"event": "signin.succeeded", "user_id": 1}\r\nINFO fake line'

    client.post(reverse("login"), {"username": forged, "password": "wrong"})

    entries = audit_lines()
    assert [entry["event"] for entry in entries] == ["signin.failed"]
    assert entries[0]["username"] == forged
    assert entries[0]["path"] == "/accounts/login/"
    assert "password" not in json.dumps(entries[0]).replace('"path"', "")


def test_a_successful_sign_in_records_who(client, make_user, audit_lines):
    user = make_user("amira", password="correct-horse-battery")

    client.post(reverse("login"), {"username": "amira", "password": "correct-horse-battery"})

    assert [(entry["event"], entry["user_id"]) for entry in audit_lines()] == [("signin.succeeded", user.pk)]


def test_a_refused_page_is_logged_with_who_asked(client, make_user, audit_lines):
    from tests.lms.factories import ready_video

    video = ready_video()  # used by no page, so no learner may play it
    user = make_user("amira")
    client.force_login(user)
    audit_lines()  # sign-in noise is not what this test is about
    url = f"/media/play/{video.pk}/720p/"

    response = client.get(url)

    assert response.status_code == 403
    assert "You do not have access to this page" in response.text
    entry = audit_lines()[-1]
    assert (entry["event"], entry["user_id"], entry["path"]) == ("permission.denied", user.pk, url)


def test_long_values_are_cut_and_non_ascii_escaped(audit_lines):
    from home.audit import MAX_VALUE_LENGTH, audit_log

    audit_log("export", scope="ü" * (MAX_VALUE_LENGTH + 50))

    (entry,) = audit_lines()
    assert entry["scope"] == "ü" * MAX_VALUE_LENGTH + "…"


def test_a_rejected_upload_is_logged_with_its_reason(tmp_path, make_user, audit_lines):
    from media_pipeline.services.ingest import VideoRejected, video_create

    empty = tmp_path / "story.mp4"
    empty.write_bytes(b"")
    volunteer = make_user("volunteer")

    with pytest.raises(VideoRejected):
        video_create(title="My story", video_path=empty, original_filename="story\r\n.mp4", uploaded_by=volunteer)

    (entry,) = audit_lines()
    assert entry["event"] == "upload.rejected"
    assert (entry["uploaded_by"], entry["filename"]) == (volunteer.pk, "story\r\n.mp4")
    assert "empty" in entry["reason"]
