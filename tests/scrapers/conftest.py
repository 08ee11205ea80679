"""Fixtures for the source parsers: snapshots built from bytes, in a temporary archive."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from scrapers.archive import Archive, request_key
from scrapers.http import Fetcher

DATA = Path(__file__).parent / "data"
KST = timezone(timedelta(hours=9))
KCS = "https://apis.data.go.kr/1220000"


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def make_snap(tmp_path):
    """``make_snap(body, url=..., params=..., status=200, fetched_at=...)`` -> an archived Snapshot."""
    archive = Archive(tmp_path / "parse-archive")

    def make(
        body: bytes,
        *,
        source: str = "kcs",
        url: str = f"{KCS}/nationtrade/getNationtradeList",
        params: dict | None = None,
        status: int = 200,
        fetched_at: datetime | None = None,
    ):
        params = dict(params if params is not None else {"strtYymm": "202601", "endYymm": "202603"})
        return archive.store(
            body,
            source=source,
            method="GET",
            url=url,
            params=params,
            request_key=request_key(source, "GET", url, params),
            status=status,
            headers={},
            fetched_at=fetched_at or datetime(2026, 10, 16, 3, 0, tzinfo=KST),
        )

    return make


@pytest.fixture
def data_bytes():
    """``data_bytes(name)`` -> the bytes of ``tests/scrapers/data/<name>``."""
    return data


@pytest.fixture
def fetcher(tmp_path):
    """A fetcher on a temporary archive that never sleeps and never retries."""
    return Fetcher(Archive(tmp_path / "archive"), sleep=lambda s: None, max_retries=0)
