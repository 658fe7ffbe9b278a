"""The media bucket: put, fetch, link and erase objects at app-generated keys.

Two adapters behind one interface – S3 (through django-storages' boto3 connection, so credentials, endpoint
and retries are configured once in settings) and the local file system (the embedded default). The pipeline
calls only these functions, so both run the same pipeline code.

Why not `Storage.save()`: derived objects have fixed keys (`renditions/<video>/720p.mp4`); a retried job must
replace a stale object left by a crashed attempt, not get a renamed twin, and `save()` with
`file_overwrite=False` would also spend a HEAD per object finding a free name.
"""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.core.files.storage import FileSystemStorage, Storage, storages

from media_pipeline.checksums import FileDigests, file_digests, removing_on_error, sha256_file

# Parts of this size are what boto3 uploads (and files this large go in parts); the composite CRC32 S3 reports
# for an object is computed over them.
MULTIPART_CHUNK = 16 * 1024 * 1024


class StorageUnavailable(Exception):
    """The store could not be reached or answered with a server error: worth retrying later."""


class StorageIntegrityError(Exception):
    """What the store holds is not what was sent (size or checksum differ)."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    bytes: int
    sha256: str


def media_storage() -> Storage:
    return storages["default"]


def _is_s3(storage: Storage) -> bool:
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def _s3_client(storage):
    return storage.connection.meta.client


def _transfer_config():
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(multipart_threshold=MULTIPART_CHUNK, multipart_chunksize=MULTIPART_CHUNK)


# What S3 answers when a body does not match the checksum sent with it (corrupted on the way).
_DIGEST_ERRORS = {"BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch"}


def _translate_errors(error: Exception) -> Exception:
    """Map boto3's many exceptions onto the ones the pipeline acts on (retry later, or give up)."""
    from boto3.exceptions import S3UploadFailedError
    from botocore.exceptions import BotoCoreError, ClientError, FlexibleChecksumError

    if isinstance(error, S3UploadFailedError) and isinstance(error.__context__, ClientError):
        # upload_file re-raises an S3 error answer as S3UploadFailedError; what matters is the answer.
        translated = _translate_errors(error.__context__)
        return error if translated is error.__context__ else translated
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        code = error.response.get("Error", {}).get("Code", "")
        if code in _DIGEST_ERRORS:
            return StorageIntegrityError(f"The media store refused data that arrived damaged ({code}).")
        if status >= 500 or code in {"SlowDown", "RequestTimeout", "ServiceUnavailable", "InternalError"}:
            return StorageUnavailable(f"The media store answered {code or status}.")
        return error
    if isinstance(error, FlexibleChecksumError):
        return StorageIntegrityError("A file fetched from the media store arrived damaged (checksum mismatch).")
    if isinstance(error, BotoCoreError):
        return StorageUnavailable(f"The media store could not be reached ({type(error).__name__}).")
    return error


def _part_size(size: int) -> int:
    """The part size boto3 will use for a file of `size` bytes (s3transfer's own adjustment: it grows the
    chunk when 16 MiB parts would exceed S3's 10,000-part limit)."""
    from s3transfer.utils import ChunksizeAdjuster

    return ChunksizeAdjuster().adjust_chunksize(MULTIPART_CHUNK, size)


def _verify_s3_object(*, key: str, head: dict, digests: FileDigests, multipart: bool) -> None:
    """Raise StorageIntegrityError unless the store holds `digests.bytes` bytes whose CRC32, as the store
    computed it, is the CRC32 of the bytes that were hashed locally."""
    reported, _, parts = (head.get("ChecksumCRC32") or "").partition("-")
    expected_type = "COMPOSITE" if multipart else "FULL_OBJECT"
    if (
        head.get("ContentLength") != digests.bytes
        or reported != digests.s3_crc32(multipart=multipart)
        or (parts and parts != str(len(digests.part_crc32)))
        or head.get("ChecksumType", expected_type) != expected_type
    ):
        raise StorageIntegrityError(f"{key}: the stored object does not match the file that was sent.")


def object_put(*, key: str, path: Path, content_type: str, sha256: str | None = None) -> StoredObject:
    """Store the local file `path` at exactly `key` (replacing any object there) and verify it.

    `content_type` must come from what the pipeline verified, never from the upload. `sha256`, when the caller
    already has it, is checked against the bytes stored. Raises StorageUnavailable (retry later) or
    StorageIntegrityError (the stored bytes differ from the file, or the file changed).

    On S3 the upload carries a CRC32 checksum: the store checks every request's body against it (each part
    of a multipart upload) and combines the part checksums into the object's. Meanwhile a thread reads the
    file once for its SHA-256 and the CRC32 of each part; one HEAD then compares the store's size and CRC32
    with ours – so the object is proven to be the bytes whose SHA-256 is returned.
    """
    path = Path(path)
    size = path.stat().st_size
    storage = media_storage()
    if _is_s3(storage):
        client = _s3_client(storage)
        multipart = size >= MULTIPART_CHUNK  # s3transfer's own test (multipart_threshold == MULTIPART_CHUNK)
        extra = {"ContentType": content_type, "ChecksumAlgorithm": "CRC32"}
        if multipart:
            extra["ChecksumType"] = "COMPOSITE"  # S3's default for CRC32; stated so the check below is exact
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="object-put-digests") as hasher:
            hashing = hasher.submit(file_digests, path, part_size=_part_size(size) if multipart else max(size, 1))
            try:
                client.upload_file(str(path), storage.bucket_name, key, ExtraArgs=extra, Config=_transfer_config())
                head = client.head_object(Bucket=storage.bucket_name, Key=key, ChecksumMode="ENABLED")
            except Exception as error:
                raise _translate_errors(error) from error
            digests = hashing.result()
        if digests.bytes != size or (sha256 and sha256 != digests.sha256):
            raise StorageIntegrityError(f"{key}: the file changed after it was checked.")
        _verify_s3_object(key=key, head=head, digests=digests, multipart=multipart)
        digest = digests.sha256
    else:
        digest = sha256 or sha256_file(path)
        target = Path(storage.path(key))
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.part")
        shutil.copyfile(path, partial)
        os.replace(partial, target)
        if target.stat().st_size != size or sha256_file(target) != digest:
            raise StorageIntegrityError(f"{key}: the stored file does not match the file that was sent.")
    return StoredObject(key=key, bytes=size, sha256=digest)


def object_fetch(*, key: str, path: Path) -> Path:
    """Copy the object at `key` to the local file `path` (for a job to work on).

    On S3 this is one streaming GET (boto3's download_file would send a HEAD first, then ranged GETs); botocore
    checks the length, and the CRC32 where the object has a whole-object checksum. A failed copy leaves no
    file behind.
    """
    path = Path(path)
    storage = media_storage()
    if _is_s3(storage):
        try:
            with removing_on_error(path):
                response = _s3_client(storage).get_object(Bucket=storage.bucket_name, Key=key)
                with response["Body"] as body, open(path, "wb") as handle:
                    shutil.copyfileobj(body, handle, MULTIPART_CHUNK // 16)
        except Exception as error:
            raise _translate_errors(error) from error
    else:
        shutil.copyfile(storage.path(key), path)
    return path


def object_read(*, key: str) -> bytes:
    """The whole object at `key` – for small objects such as caption files – in one GET.

    Raises FileNotFoundError when there is no such object, StorageUnavailable when the store cannot be reached.
    """
    storage = media_storage()
    if not _is_s3(storage):
        with storage.open(key, "rb") as handle:
            return handle.read()
    from botocore.exceptions import ClientError

    try:
        response = _s3_client(storage).get_object(Bucket=storage.bucket_name, Key=key)
        with response["Body"] as body:
            return body.read()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
            raise FileNotFoundError(key) from error
        raise _translate_errors(error) from error
    except Exception as error:
        raise _translate_errors(error) from error


def object_exists(key: str) -> bool:
    try:
        return media_storage().exists(key)
    except Exception as error:
        raise _translate_errors(error) from error


def object_presigned_url(*, key: str, content_type: str, expires: int = 300) -> str | None:
    """A short-lived URL for S3, or None for local storage (the caller streams the file itself)."""
    storage = media_storage()
    if not _is_s3(storage):
        return None
    return _s3_client(storage).generate_presigned_url(
        "get_object",
        Params={"Bucket": storage.bucket_name, "Key": key, "ResponseContentType": content_type},
        ExpiresIn=expires,
    )


def local_path(key: str) -> Path | None:
    storage = media_storage()
    return Path(storage.path(key)) if isinstance(storage, FileSystemStorage) else None


def objects_list(prefix: str):
    """Yield `(key, last modified)` for every object under `prefix` (newest versions only)."""
    storage = media_storage()
    if not _is_s3(storage):
        import datetime

        root = Path(storage.path(prefix))
        base = Path(storage.path(""))
        for item in sorted(root.rglob("*")) if root.exists() else []:
            if item.is_file() and not item.name.startswith("."):
                modified = datetime.datetime.fromtimestamp(item.stat().st_mtime, tz=datetime.UTC)
                yield item.relative_to(base).as_posix(), modified
        return
    try:
        paginator = _s3_client(storage).get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=storage.bucket_name, Prefix=prefix):
            for item in page.get("Contents", []):
                yield item["Key"], item["LastModified"]
    except Exception as error:
        raise _translate_errors(error) from error


def objects_delete_prefix(prefix: str) -> int:
    """Delete every object under `prefix` – every version of it where the bucket is versioned. Returns a count."""
    if not prefix.endswith("/") or prefix.count("/") < 2:
        raise ValueError(f"Refusing to delete the broad prefix {prefix!r}.")
    storage = media_storage()
    if not _is_s3(storage):
        root = Path(storage.path(prefix))
        count = sum(1 for item in root.rglob("*") if item.is_file()) if root.exists() else 0
        shutil.rmtree(root, ignore_errors=True)
        return count
    client = _s3_client(storage)
    deleted = 0
    try:
        paginator = client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=storage.bucket_name, Prefix=prefix):
            batch = [
                {"Key": item["Key"], "VersionId": item["VersionId"]}
                for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            ]
            for start in range(0, len(batch), 1000):
                chunk = batch[start : start + 1000]
                client.delete_objects(Bucket=storage.bucket_name, Delete={"Objects": chunk, "Quiet": True})
                deleted += len(chunk)
    except Exception as error:
        raise _translate_errors(error) from error
    return deleted
