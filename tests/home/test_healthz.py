"""/healthz answers whether the database and the media storage can be reached."""

import pytest

from config.settings.base import s3_media_storage

pytestmark = pytest.mark.django_db


def test_healthy_with_local_storage(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "storage": True}
    assert "no-cache" in response["Cache-Control"]


def test_healthy_with_s3_over_http(client, s3_bucket):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["storage"] is True


def test_unreachable_s3_is_reported_as_unavailable(client, settings, s3_server):
    # Nothing listens on port 9 (discard) here: the connection is refused.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_media_storage(
            bucket_name="missing",
            endpoint_url="http://127.0.0.1:9",
            region_name="eu-west-2",
            access_key="testing",
            secret_key="testing",
        ),
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": True, "storage": False}


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
