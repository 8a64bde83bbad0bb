"""Content-addressed file store: a file is kept once, under the SHA-256 of its bytes.

Files live under settings.VANPHONG_FILES_DIR/ab/cd/<sha256>. Writing is atomic (temp file and
rename), so a crash never leaves a half-written file under a valid name.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from django.conf import settings


def _root() -> Path:
    return Path(settings.VANPHONG_FILES_DIR)


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return _root() / sha256[:2] / sha256[2:4] / sha256


def put(stream: BinaryIO) -> tuple[str, int]:
    """Store the stream's bytes; return (sha256, size). Storing the same bytes twice is free."""
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in iter(lambda: stream.read(1024 * 1024), b""):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        final = path_for(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, final)
        return sha, size
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


def put_bytes(data: bytes) -> str:
    import io

    return put(io.BytesIO(data))[0]


def read_bytes(sha256: str) -> bytes:
    return path_for(sha256).read_bytes()


def exists(sha256: str) -> bool:
    try:
        return path_for(sha256).exists()
    except ValueError:
        return False
