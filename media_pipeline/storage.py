"""The media bucket: put, fetch, link and erase objects at app-generated keys.

Two adapters behind one interface – S3 (through django-storages' boto3 connection, so credentials, endpoint
and retries are configured once in settings) and the local file system (the embedded default). The pipeline
calls only these functions, so both run the same pipeline code.

Why not `Storage.save()`: derived objects have fixed keys (`renditions/<video>/720p.mp4`); a retried job must
replace a stale object left by a crashed attempt, not get a renamed twin, and `save()` with
`file_overwrite=False` would also spend a HEAD per object finding a free name.
"""

import base64
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.core.files.storage import FileSystemStorage, Storage, storages

from media_pipeline.checksums import sha256_file

# Parts of this size are what boto3 uploads; the composite checksum S3 reports is computed over them.
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


def _translate_errors(error: Exception) -> Exception:
    """Map boto3's many exceptions onto the two the pipeline acts on (retry later, or give up)."""
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        code = error.response.get("Error", {}).get("Code", "")
        if status >= 500 or code in {"SlowDown", "RequestTimeout", "ServiceUnavailable", "InternalError"}:
            return StorageUnavailable(f"The media store answered {code or status}.")
        return error
    if isinstance(error, BotoCoreError):
        return StorageUnavailable(f"The media store could not be reached ({type(error).__name__}).")
    return error


def _digests(path: Path) -> tuple[str, str]:
    """One read of the file: its SHA-256 (hex) and the SHA-256 S3 reports for it when uploaded in
    MULTIPART_CHUNK parts (base64, without the -N suffix; for one part it is the same digest)."""
    whole = hashlib.sha256()
    parts = []
    with open(path, "rb") as handle:
        while chunk := handle.read(MULTIPART_CHUNK):
            whole.update(chunk)
            parts.append(hashlib.sha256(chunk).digest())
    reported = whole.digest() if len(parts) <= 1 else hashlib.sha256(b"".join(parts)).digest()
    return whole.hexdigest(), base64.b64encode(reported).decode()


def object_put(*, key: str, path: Path, content_type: str, sha256: str | None = None) -> StoredObject:
    """Store the local file `path` at exactly `key` (replacing any object there) and verify it.

    `content_type` must come from what the pipeline verified, never from the upload. Raises
    StorageUnavailable (retry later) or StorageIntegrityError (the stored bytes differ from the file).
    """
    path = Path(path)
    size = path.stat().st_size
    storage = media_storage()
    if _is_s3(storage):
        digest, expected = _digests(path)
        if sha256 and sha256 != digest:
            raise StorageIntegrityError(f"{key}: the file changed after it was checked.")
        client = _s3_client(storage)
        try:
            client.upload_file(
                str(path),
                storage.bucket_name,
                key,
                # S3 verifies each part's SHA-256 as it arrives; the HEAD below checks the whole.
                ExtraArgs={"ContentType": content_type, "ChecksumAlgorithm": "SHA256"},
                Config=_transfer_config(),
            )
            head = client.head_object(Bucket=storage.bucket_name, Key=key, ChecksumMode="ENABLED")
        except Exception as error:
            raise _translate_errors(error) from error
        reported = (head.get("ChecksumSHA256") or "").split("-")[0]
        if head["ContentLength"] != size or reported != expected:
            raise StorageIntegrityError(f"{key}: the stored object does not match the file that was sent.")
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
    """Copy the object at `key` to the local file `path` (for a job to work on)."""
    storage = media_storage()
    if _is_s3(storage):
        try:
            _s3_client(storage).download_file(storage.bucket_name, key, str(path), Config=_transfer_config())
        except Exception as error:
            raise _translate_errors(error) from error
    else:
        shutil.copyfile(storage.path(key), path)
    return Path(path)


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
