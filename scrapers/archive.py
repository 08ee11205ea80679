"""The raw-response archive: content-addressed bytes plus one metadata record per fetch.

Layout under the archive root::

    objects/ab/cd/abcd…(sha256)                      the bytes, exactly as received
    requests/<kk>/<request_key>/<fetched>-<sha12>.json   one record per fetch of a request

A record says which source asked what (URL and parameters with secrets removed),
what came back (status, the headers that matter, size, sha256) and when. The bytes
are verified against their hash on every read. Nothing here deletes anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tradewatch.errors import ArchiveError
from tradewatch.model import utcnow  # noqa: F401  (re-exported for the fetcher)

_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_KEY_RE = re.compile(r"^[0-9a-f]{32}$")

# Response headers worth keeping with a snapshot.
KEPT_HEADERS = (
    "content-type",
    "content-length",
    "etag",
    "last-modified",
    "date",
    "retry-after",
    "location",  # a redirect's target (a source decides whether to follow it)
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def request_key(source: str, method: str, url: str, params: dict[str, Any] | None) -> str:
    """A stable id for "the same request" (secrets must already be left out)."""
    canon = json.dumps(
        [source, method.upper(), url, sorted((str(k), str(v)) for k, v in (params or {}).items())],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Snapshot:
    """One archived response: the metadata record; ``body()`` reads the verified bytes."""

    source: str
    method: str
    url: str  # without secrets
    params: dict[str, Any]  # without secrets
    request_key: str
    status: int
    headers: dict[str, str]
    fetched_at: datetime
    sha256: str
    size: int
    label: str | None = None  # e.g. the request window "2019-01..2019-12"
    sample: bool = False  # bundled sample data, not an official response
    note: str | None = None
    not_modified: bool = False  # a 304: this is the previous snapshot, unchanged
    archive_root: str | None = field(default=None, compare=False)

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def full_url(self) -> str:
        if not self.params:
            return self.url
        from urllib.parse import urlencode

        return f"{self.url}?{urlencode(sorted(self.params.items()))}"

    def body(self) -> bytes:
        if not self.archive_root:
            raise ArchiveError(f"snapshot {self.sha256[:12]} is not attached to an archive")
        return Archive(self.archive_root).get(self.sha256)

    def to_record(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("archive_root", None)
        d.pop("not_modified", None)
        d["fetched_at"] = self.fetched_at.isoformat()
        return d

    @classmethod
    def from_record(cls, d: dict[str, Any], archive_root: str | None) -> Snapshot:
        d = dict(d)
        d["fetched_at"] = datetime.fromisoformat(d["fetched_at"])
        d.pop("archive_root", None)
        d.pop("not_modified", None)
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known}, archive_root=archive_root)


class Archive:
    """Content-addressed storage of raw responses with per-request history."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    # --- paths (never steerable outside the root) -------------------------------------
    def _inside(self, p: Path) -> Path:
        root = self.root.resolve()
        rp = p.resolve()
        if rp != root and root not in rp.parents:
            raise ArchiveError(f"path {p} escapes the archive root")
        return p

    def object_path(self, sha: str) -> Path:
        if not isinstance(sha, str) or not _SHA_RE.match(sha):
            raise ArchiveError(f"not a sha256 hex digest: {sha!r}")
        return self._inside(self.root / "objects" / sha[:2] / sha[2:4] / sha)

    def request_dir(self, key: str) -> Path:
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise ArchiveError(f"not a request key: {key!r}")
        return self._inside(self.root / "requests" / key[:2] / key)

    # --- bytes ------------------------------------------------------------------------
    def _write_atomic(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def put(self, data: bytes) -> str:
        """Store ``data``; returns its sha256. Idempotent."""
        sha = sha256_hex(data)
        path = self.object_path(sha)
        try:
            if path.exists() and path.stat().st_size == len(data):
                return sha
            self._write_atomic(path, data)
        except OSError as exc:
            raise ArchiveError(
                f"cannot write archive object {sha[:12]} under {self.root}: {exc.strerror or exc}"
            ) from None
        return sha

    def get(self, sha: str) -> bytes:
        path = self.object_path(sha)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ArchiveError(f"archive object {sha[:12]} is missing under {self.root}") from None
        except OSError as exc:
            raise ArchiveError(f"cannot read archive object {sha[:12]}: {exc.strerror or exc}") from None
        if sha256_hex(data) != sha:
            raise ArchiveError(f"archive object {sha[:12]} is corrupt: its bytes no longer match their sha256")
        return data

    def has(self, sha: str) -> bool:
        return self.object_path(sha).exists()

    # --- records ------------------------------------------------------------------------
    def record(self, snap: Snapshot) -> Snapshot:
        """Write the metadata record of a fetch whose bytes are already stored."""
        if not self.has(snap.sha256):
            raise ArchiveError(f"refusing to record snapshot {snap.sha256[:12]}: its bytes are not in the archive")
        stamp = snap.fetched_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.request_dir(snap.request_key) / f"{stamp}-{snap.sha256[:12]}.json"
        data = json.dumps(snap.to_record(), ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
        try:
            if not path.exists():
                self._write_atomic(path, data)
        except OSError as exc:
            raise ArchiveError(f"cannot write archive record under {self.root}: {exc.strerror or exc}") from None
        return replace(snap, archive_root=str(self.root))

    def store(self, data: bytes, **meta: Any) -> Snapshot:
        """Put the bytes, then write their record: the one way a fetch enters the archive."""
        sha = self.put(data)
        snap = Snapshot(sha256=sha, size=len(data), **meta)
        return self.record(snap)

    def _load(self, path: Path) -> Snapshot:
        try:
            return Snapshot.from_record(json.loads(path.read_text(encoding="utf-8")), str(self.root))
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise ArchiveError(f"unreadable archive record {path.name}: {exc}") from None

    def history(self, key: str) -> list[Snapshot]:
        d = self.request_dir(key)
        if not d.is_dir():
            return []
        snaps = [self._load(p) for p in sorted(d.glob("*.json"))]
        return sorted(snaps, key=lambda s: s.fetched_at)

    def latest(self, key: str, as_of: datetime | None = None) -> Snapshot | None:
        snaps = self.history(key)
        if as_of is not None:
            snaps = [s for s in snaps if s.fetched_at <= as_of]
        return snaps[-1] if snaps else None

    def snapshots(self, source: str | None = None) -> Iterator[Snapshot]:
        base = self.root / "requests"
        if not base.is_dir():
            return
        for path in sorted(base.glob("*/*/*.json")):
            snap = self._load(path)
            if source is None or snap.source == source:
                yield snap

    def import_snapshot(self, snap: Snapshot) -> Snapshot:
        """Copy a snapshot (bytes and record) from another archive into this one."""
        if snap.archive_root and Path(snap.archive_root).resolve() == self.root.resolve():
            return snap
        data = snap.body()
        sha = self.put(data)
        if sha != snap.sha256:
            raise ArchiveError(f"imported object {snap.sha256[:12]} changed on the way")
        return self.record(snap)

    def copy_tree_from(self, other: Archive) -> int:
        """Import every object and record of ``other`` (used to seed a data directory)."""
        n = 0
        for src in (other.root / "objects").glob("*/*/*"):
            dst = self.object_path(src.name)
            if not dst.exists():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)
        for src in (other.root / "requests").glob("*/*/*.json"):
            dst = self._inside(self.root / src.relative_to(other.root))
            if not dst.exists():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)
                n += 1
        return n
