"""object_put / object_fetch against moto's S3 server over HTTP: what is stored, what is verified, how many
requests it takes – and that damage on the way is caught."""

import base64
import contextlib
import hashlib
import os
import socket
import socketserver
import threading
import zlib
from collections import Counter
from pathlib import Path

import pytest
from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from config.settings.base import s3_media_storage
from media_pipeline.checksums import file_digests
from media_pipeline.storage import (
    MULTIPART_CHUNK,
    StorageIntegrityError,
    StorageUnavailable,
    _translate_errors,
    media_storage,
    object_fetch,
    object_put,
)

MIB = 1024 * 1024


def s3_crc32_by_definition(data: bytes, part_size: int, *, multipart: bool) -> str:
    """S3's CRC32 as AWS documents it: of the whole object for one PUT; for a COMPOSITE multipart object, of the
    concatenated big-endian CRC32s of the parts."""
    if not multipart:
        return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    parts = [data[start : start + part_size] for start in range(0, len(data), part_size)] or [b""]
    joined = b"".join(zlib.crc32(part).to_bytes(4, "big") for part in parts)
    return base64.b64encode(zlib.crc32(joined).to_bytes(4, "big")).decode()


@contextlib.contextmanager
def requests_sent():
    """The S3 operations the storage's own client sends (observed through botocore's events, not mocked)."""
    client = media_storage().connection.meta.client
    sent: Counter[str] = Counter()
    lock = threading.Lock()

    def count(event_name, **kwargs):
        with lock:
            sent[event_name.rsplit(".", 1)[-1]] += 1

    client.meta.events.register("before-send.s3.*", count, unique_id="test-storage-count")
    try:
        yield sent
    finally:
        client.meta.events.unregister("before-send.s3.*", unique_id="test-storage-count")


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("size", "multipart"),
    [(0, False), (1500, False), (MULTIPART_CHUNK - 1, False), (MULTIPART_CHUNK, True), (MULTIPART_CHUNK + 5, True)],
    ids=["empty", "small", "just-under-a-part", "exactly-one-part", "two-parts"],
)
def test_put_stores_the_bytes_and_the_stores_checksum_matches_ours(s3_server, s3_bucket, tmp_path, size, multipart):
    data = os.urandom(size)
    with requests_sent() as sent:
        stored = object_put(key="originals/x/video", path=write(tmp_path / "f", data), content_type="video/mp4")

    assert (stored.key, stored.bytes, stored.sha256) == ("originals/x/video", size, hashlib.sha256(data).hexdigest())
    client = s3_server.client()
    assert client.get_object(Bucket=s3_bucket, Key=stored.key)["Body"].read() == data
    head = client.head_object(Bucket=s3_bucket, Key=stored.key, ChecksumMode="ENABLED")
    assert head["ContentType"] == "video/mp4"
    # The store's CRC32 (for multipart uploads moto computes it from the parts it holds) is S3's by definition.
    assert head["ChecksumCRC32"].split("-")[0] == s3_crc32_by_definition(data, MULTIPART_CHUNK, multipart=multipart)
    # One HEAD – the verification – and nothing else beyond the upload itself.
    uploads = (
        {"CreateMultipartUpload": 1, "UploadPart": -(-size // MULTIPART_CHUNK), "CompleteMultipartUpload": 1}
        if multipart
        else {"PutObject": 1}
    )
    assert dict(sent) == {**uploads, "HeadObject": 1}


def test_put_replaces_an_object_left_at_the_same_key(s3_server, s3_bucket, tmp_path):
    object_put(key="renditions/x/720p.mp4", path=write(tmp_path / "old", b"stale attempt"), content_type="video/mp4")
    stored = object_put(key="renditions/x/720p.mp4", path=write(tmp_path / "new", b"good"), content_type="video/mp4")
    body = s3_server.client().get_object(Bucket=s3_bucket, Key=stored.key)["Body"].read()
    assert (body, stored.bytes) == (b"good", 4)


def test_put_refuses_a_file_that_changed_after_the_caller_hashed_it(s3_bucket, tmp_path):
    path = write(tmp_path / "720p.mp4", b"the transcoder's output")
    claimed = hashlib.sha256(b"what the transcoder hashed").hexdigest()
    with pytest.raises(StorageIntegrityError, match="changed after it was checked"):
        object_put(key="renditions/x/720p.mp4", path=path, content_type="video/mp4", sha256=claimed)


def test_put_accepts_the_callers_matching_sha256(s3_bucket, tmp_path):
    data = os.urandom(3000)
    stored = object_put(
        key="posters/x/poster.jpg",
        path=write(tmp_path / "p", data),
        content_type="image/jpeg",
        sha256=hashlib.sha256(data).hexdigest(),
    )
    assert stored.sha256 == hashlib.sha256(data).hexdigest()


class DamagingProxy:
    """A loopback relay in front of the S3 server that, at byte `offset` of each client→server connection
    carrying that much – i.e. inside a large request body (an upload part) – flips that byte, or (cut=True)
    drops the connection."""

    def __init__(self, target_port: int, *, offset: int = 200_000, cut: bool = False):
        self.damaged = 0
        proxy = self

        class Relay(socketserver.BaseRequestHandler):
            def handle(self):
                upstream = socket.create_connection(("127.0.0.1", target_port), timeout=10)

                def pump(source, sink, damage):
                    seen = 0
                    try:
                        while data := source.recv(65536):
                            if damage and seen <= offset < seen + len(data):
                                proxy.damaged += 1
                                if cut:
                                    return
                                data = bytearray(data)
                                data[offset - seen] ^= 0xFF
                            seen += len(data)
                            sink.sendall(data)
                    except OSError:
                        pass
                    finally:
                        for end in (source, sink):
                            with contextlib.suppress(OSError):
                                end.shutdown(socket.SHUT_RDWR)

                back = threading.Thread(target=pump, args=(upstream, self.request, False), daemon=True)
                back.start()
                pump(self.request, upstream, True)
                back.join(timeout=10)
                upstream.close()

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Relay)
        self.endpoint_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def damaging_proxy(s3_server, s3_bucket, settings):
    """Point the media storage at the bucket through a DamagingProxy; the test sets how it damages."""
    proxies = []

    def route(**options) -> DamagingProxy:
        proxy = DamagingProxy(s3_server.port, **options)
        proxies.append(proxy)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": s3_media_storage(
                bucket_name=s3_bucket,
                endpoint_url=proxy.endpoint_url,
                region_name="eu-west-2",
                access_key="testing",
                secret_key="testing",
            ),
        }
        return proxy

    yield route
    for proxy in proxies:
        proxy.close()


def test_a_part_damaged_on_the_way_is_caught(damaging_proxy, tmp_path):
    """moto, unlike S3, stores a part whose body no longer matches its CRC32 header; the store's composite
    CRC32 then differs from ours, and object_put must say so rather than record a damaged rendition."""
    proxy = damaging_proxy()
    path = write(tmp_path / "720p.mp4", os.urandom(MULTIPART_CHUNK + MIB))
    with pytest.raises(StorageIntegrityError, match="does not match the file that was sent"):
        object_put(key="renditions/x/720p.mp4", path=path, content_type="video/mp4")
    assert proxy.damaged >= 1


def test_a_failed_multipart_upload_is_aborted_and_retryable(damaging_proxy, s3_server, s3_bucket, tmp_path):
    proxy = damaging_proxy(cut=True)
    path = write(tmp_path / "original", os.urandom(MULTIPART_CHUNK + MIB))
    with pytest.raises(StorageUnavailable):
        object_put(key="originals/x/video", path=path, content_type="application/octet-stream")
    assert proxy.damaged >= 1
    client = s3_server.client()
    assert client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []  # no parts left to pay for
    assert client.list_objects_v2(Bucket=s3_bucket).get("KeyCount") == 0


def s3_answer(code: str, status: int, *, via_upload_file: bool) -> Exception:
    """An S3 error answer as boto3 raises it: a ClientError, or – from upload_file – an S3UploadFailedError
    raised while handling the ClientError."""
    answer = ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "UploadPart")
    if not via_upload_file:
        return answer
    try:
        try:
            raise answer
        except ClientError as error:
            raise S3UploadFailedError(f"Failed to upload: {error}")  # noqa: B904 – boto3 does exactly this
    except S3UploadFailedError as wrapped:
        return wrapped


@pytest.mark.parametrize("via_upload_file", [False, True], ids=["client-error", "upload-file"])
@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("BadDigest", 400, StorageIntegrityError),  # S3 refused a part whose body did not match its CRC32
        ("SlowDown", 503, StorageUnavailable),
        ("InternalError", 500, StorageUnavailable),
        ("AccessDenied", 403, None),  # a configuration fault: passed on as boto3 raised it, not retried
    ],
)
def test_s3_answers_are_mapped_to_what_the_pipeline_does_next(code, status, expected, via_upload_file):
    raised = s3_answer(code, status, via_upload_file=via_upload_file)
    translated = _translate_errors(raised)
    assert translated is raised if expected is None else isinstance(translated, expected)


@pytest.mark.parametrize("size", [0, 2000, MULTIPART_CHUNK + 5], ids=["empty", "small", "multipart"])
def test_fetch_copies_the_object_in_one_get(s3_server, s3_bucket, tmp_path, size):
    data = os.urandom(size)
    object_put(key="originals/x/video", path=write(tmp_path / "up", data), content_type="application/octet-stream")
    with requests_sent() as sent:
        fetched = object_fetch(key="originals/x/video", path=tmp_path / "down")
    assert fetched.read_bytes() == data
    assert dict(sent) == {"GetObject": 1}


def test_fetch_of_a_missing_object_leaves_no_file(s3_bucket, tmp_path):
    with pytest.raises(ClientError):
        object_fetch(key="originals/x/missing", path=tmp_path / "down")
    assert not (tmp_path / "down").exists()


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3000), part_size=st.integers(min_value=1, max_value=1200))
def test_file_digests_match_hashing_each_part_separately(tmp_path_factory, data, part_size):
    path = tmp_path_factory.mktemp("digests") / "f"
    path.write_bytes(data)
    digests = file_digests(path, part_size=part_size)
    parts = [data[start : start + part_size] for start in range(0, len(data), part_size)] or [b""]
    assert digests.bytes == len(data)
    assert digests.sha256 == hashlib.sha256(data).hexdigest()
    assert digests.part_crc32 == tuple(zlib.crc32(part) for part in parts)
    assert digests.s3_crc32(multipart=True) == s3_crc32_by_definition(data, part_size, multipart=True)
    if len(parts) == 1:
        assert digests.s3_crc32(multipart=False) == s3_crc32_by_definition(data, part_size, multipart=False)
