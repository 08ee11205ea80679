from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scrapers.archive import Archive, request_key, sha256_hex
from tradewatch.errors import ArchiveError

T = datetime(2026, 11, 16, 3, 0, tzinfo=UTC)


def store(a: Archive, body: bytes, key: str, t=T):
    return a.store(
        body,
        source="kcs",
        method="GET",
        url="http://x/y",
        params={"a": "1"},
        request_key=key,
        status=200,
        headers={},
        fetched_at=t,
    )


def test_content_addressed_and_verified(tmp_path):
    a = Archive(tmp_path)
    snap = store(a, b"hello", request_key("kcs", "GET", "http://x/y", {"a": "1"}))
    assert snap.sha256 == sha256_hex(b"hello") and a.get(snap.sha256) == b"hello"
    # the same bytes twice are one object
    store(a, b"hello", request_key("kcs", "GET", "http://x/z", {}))
    assert len([p for p in (tmp_path / "objects").rglob("*") if p.is_file()]) == 1
    # tampering is detected on read
    a.object_path(snap.sha256).write_bytes(b"hellO")
    with pytest.raises(ArchiveError, match="corrupt"):
        a.get(snap.sha256)


def test_history_and_latest(tmp_path):
    a = Archive(tmp_path)
    key = request_key("kcs", "GET", "http://x/y", {"a": "1"})
    store(a, b"v1", key, T)
    store(a, b"v2", key, T.replace(day=17))
    assert [s.body() for s in a.history(key)] == [b"v1", b"v2"]
    assert a.latest(key, as_of=T).body() == b"v1"
    assert a.latest(key).body() == b"v2"
    assert [s.source for s in a.snapshots("kcs")] == ["kcs", "kcs"]


@pytest.mark.parametrize("bad", ["../../etc/passwd", "a" * 63 + "/", "..", "0" * 63 + "G"])
def test_paths_cannot_be_steered_outside_the_archive(tmp_path, bad):
    a = Archive(tmp_path / "archive")
    with pytest.raises(ArchiveError):
        a.get(bad)
    with pytest.raises(ArchiveError):
        a.request_dir(bad)


def test_request_key_ignores_param_order_but_not_values():
    k1 = request_key("kcs", "GET", "http://x", {"a": "1", "b": "2"})
    assert k1 == request_key("kcs", "get", "http://x", {"b": "2", "a": "1"})
    assert k1 != request_key("kcs", "GET", "http://x", {"a": "1", "b": "3"})
