"""The fetch layer against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scrapers.archive import Archive
from scrapers.http import KST, Fetcher, Request, next_midnight_kst, parse_retry_after, quota_spent
from tests.fixtures.scripted import scripted_server
from tradewatch.errors import (
    ArchiveError,
    DisallowedHost,
    FetchError,
    RateLimited,
    RateLimitedUntil,
    ReplayMiss,
    ResponseTooLarge,
)

XML = b"<?xml version='1.0' encoding='UTF-8'?><response><header><resultCode>00</resultCode></header></response>"


@pytest.fixture
def server():
    with scripted_server() as s:
        yield s


def make_fetcher(tmp_path, **kw):
    sleeps: list[float] = []
    kw.setdefault("max_retries", 3)
    kw.setdefault("read_timeout", 2.0)
    f = Fetcher(Archive(tmp_path / "archive"), sleep=sleeps.append, secrets=["SECRETKEY123"], **kw)
    return f, sleeps


def req(server, path="/data", **kw):
    return Request(
        source="test",
        url=server.url + path,
        params={"strtYymm": "202401"},
        secret_params={"serviceKey": "SECRETKEY123"},
        **kw,
    )


def test_success_is_archived_before_it_is_returned(server, tmp_path):
    server.on("/data", {"body": XML, "headers": {"ETag": '"v1"', "X-RateLimit-Remaining": "9999"}})
    seen = []
    f, _ = make_fetcher(tmp_path, on_snapshot=seen.append)
    snap = f.fetch(req(server))
    assert snap.status == 200 and snap.size == len(XML)
    assert snap.body() == XML  # read back from the archive, verified
    assert (tmp_path / "archive" / "objects" / snap.sha256[:2] / snap.sha256[2:4] / snap.sha256).read_bytes() == XML
    assert seen == [snap]
    assert snap.headers["etag"] == '"v1"' and snap.headers["x-ratelimit-remaining"] == "9999"
    # the key was sent, but is in no archived record
    assert "serviceKey=SECRETKEY123" in server.requests[0]["query"]
    for p in (tmp_path / "archive").rglob("*.json"):
        assert "SECRETKEY123" not in p.read_text()
    assert snap.params == {"strtYymm": "202401"} and "SECRET" not in snap.full_url


def test_user_agent_is_descriptive(server, tmp_path):
    server.on("/data", {"body": XML})
    f, _ = make_fetcher(tmp_path, user_agent="tradewatch/0.1 (+test)")
    f.fetch(req(server))
    assert server.requests[0]["headers"]["User-Agent"] == "tradewatch/0.1 (+test)"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_retried_then_succeeds(server, tmp_path, status):
    server.on("/data", {"status": status, "body": b"oops"}, {"status": status, "body": b"oops"}, {"body": XML})
    f, sleeps = make_fetcher(tmp_path)
    snap = f.fetch(req(server))
    assert snap.body() == XML and server.hits("/data") == 3
    assert len(sleeps) == 2 and all(s > 0 for s in sleeps)
    assert sleeps[1] >= sleeps[0] * 0.5  # exponential, with jitter


def test_retry_after_is_honoured(server, tmp_path):
    server.on("/data", {"status": 429, "headers": {"Retry-After": "7"}, "body": b""}, {"body": XML})
    f, sleeps = make_fetcher(tmp_path, backoff_max=60)
    f.fetch(req(server))
    assert sleeps == [7.0]


def test_429_that_outlives_the_retries_is_rate_limited(server, tmp_path):
    server.on("/data", {"status": 429, "headers": {"Retry-After": "2"}, "body": b"slow down"})
    f, _sleeps = make_fetcher(tmp_path, max_retries=2)
    with pytest.raises(RateLimited) as ei:
        f.fetch(req(server))
    assert ei.value.retry_after == 2.0 and "3 attempts" in str(ei.value)
    assert "SECRETKEY123" not in str(ei.value)
    assert server.hits("/data") == 3


def test_http_error_after_last_retry_names_source_url_and_status(server, tmp_path):
    server.on("/data", {"status": 500, "body": b"<html>Internal error</html>"})
    f, _ = make_fetcher(tmp_path, max_retries=1)
    with pytest.raises(FetchError) as ei:
        f.fetch(req(server))
    msg = str(ei.value)
    assert ei.value.status == 500 and "HTTP 500" in msg and "test" in msg and "/data" in msg
    assert "SECRETKEY123" not in msg
    # the final error body was kept for diagnosis
    assert any(
        b"Internal error" in p.read_bytes() for p in (tmp_path / "archive" / "objects").rglob("*") if p.is_file()
    )


def test_read_timeout_is_retried(server, tmp_path):
    server.on("/data", {"delay": 1.5, "body": XML}, {"body": XML})
    f, sleeps = make_fetcher(tmp_path, read_timeout=0.5)
    assert f.fetch(req(server)).body() == XML
    assert len(sleeps) == 1


def test_connection_reset_is_retried(server, tmp_path):
    server.on("/data", {"reset": True}, {"body": XML})
    f, sleeps = make_fetcher(tmp_path)
    assert f.fetch(req(server)).body() == XML and len(sleeps) == 1


def test_connection_refused_fails_with_named_error(tmp_path):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    f, _ = make_fetcher(tmp_path, max_retries=1)
    with pytest.raises(FetchError, match="connection failed"):
        f.fetch(Request(source="kcs", url=f"http://127.0.0.1:{port}/x"))


def test_huge_response_is_cut_off(server, tmp_path):
    server.on("/data", {"chunks": [b"x" * 4096] * 10, "headers": {"Content-Length": str(40960)}})
    f, _ = make_fetcher(tmp_path, max_response_bytes=10_000)
    with pytest.raises(ResponseTooLarge, match="10000 bytes"):
        f.fetch(req(server))
    # no declared length (chunked): cut while streaming
    server.on("/stream", {"chunked": True, "chunks": [b"y" * 4096] * 10})
    with pytest.raises(ResponseTooLarge):
        f.fetch(req(server, "/stream"))


def test_conditional_request_uses_previous_etag(server, tmp_path):
    server.on(
        "/data",
        {"body": XML, "headers": {"ETag": '"abc"', "Last-Modified": "Sat, 21 Nov 2026 00:00:00 GMT"}},
        {"status": 304, "body": b""},
    )
    f, _ = make_fetcher(tmp_path)
    first = f.fetch(req(server))
    second = f.fetch(req(server))
    assert server.requests[1]["headers"].get("If-None-Match") == '"abc"'
    assert server.requests[1]["headers"].get("If-Modified-Since") == "Sat, 21 Nov 2026 00:00:00 GMT"
    assert second.not_modified and second.sha256 == first.sha256
    assert f.stats["not_modified"] == 1


def test_disallowed_host_is_not_fetched(server, tmp_path):
    f, _ = make_fetcher(tmp_path)
    with pytest.raises(DisallowedHost):
        f.fetch(Request(source="releases", url="http://evil.example/x", allowed_hosts=("127.0.0.1",)))
    assert server.requests == []


def test_replay_answers_from_the_archive_without_network(server, tmp_path):
    server.on("/data", {"body": XML})
    live, _ = make_fetcher(tmp_path)
    original = live.fetch(req(server))
    server.httpd.shutdown()  # nothing answers any more
    replay = Fetcher(Archive(tmp_path / "work"), replay=Archive(tmp_path / "archive"))
    snap = replay.fetch(req(server))
    assert snap.sha256 == original.sha256 and snap.body() == XML
    assert Archive(tmp_path / "work").has(snap.sha256)  # imported into the working archive
    with pytest.raises(ReplayMiss):
        replay.fetch(Request(source="test", url=server.url + "/other"))


def test_replay_as_of_picks_the_snapshot_of_that_night(tmp_path):
    a = Archive(tmp_path / "a")
    r = Request(source="s", url="http://127.0.0.1:9/x", params={"k": "v"})
    t1 = datetime(2026, 10, 16, tzinfo=UTC)
    for t, body in ((t1, b"night1"), (t1 + timedelta(days=31), b"night2")):
        a.store(
            body,
            source="s",
            method="GET",
            url=r.url,
            params=r.params,
            request_key=r.key,
            status=200,
            headers={},
            fetched_at=t,
        )
    f = Fetcher(Archive(tmp_path / "w"), replay=a, as_of=t1 + timedelta(days=1))
    assert f.fetch(r).body() == b"night1"
    f2 = Fetcher(Archive(tmp_path / "w"), replay=a)
    assert f2.fetch(r).body() == b"night2"


def test_fetch_many_bounds_concurrency_per_host(server, tmp_path):
    server.on("/data", {"body": XML, "delay": 0.2})
    f, _ = make_fetcher(tmp_path, concurrency_per_host=2)
    import time

    reqs = [Request(source="t", url=server.url + "/data", params={"i": str(i)}) for i in range(6)]
    t0 = time.perf_counter()
    out = f.fetch_many(reqs)
    elapsed = time.perf_counter() - t0
    assert all(not isinstance(o, Exception) for o in out)
    assert elapsed >= 0.55  # 6 requests, 2 at a time, 0.2 s each: at least 3 rounds


def test_archive_that_cannot_be_written_is_a_named_error(server, tmp_path):
    server.on("/data", {"body": XML})
    blocker = tmp_path / "archive"
    blocker.write_text("a file where the archive directory should be")
    f = Fetcher(Archive(blocker), sleep=lambda s: None)
    with pytest.raises(ArchiveError, match="cannot write archive object"):
        f.fetch(req(server))


def test_parse_retry_after_forms():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    now = datetime(2026, 11, 22, 0, 0, tzinfo=UTC).timestamp()
    assert parse_retry_after("Sun, 22 Nov 2026 00:00:30 GMT", now=now) == pytest.approx(30.0)


# --- rate limits as the gateways apply them -------------------------------------------------------------
def test_retry_after_longer_than_the_backoff_maximum_is_waited_in_full(server, tmp_path):
    # a real limiter answers an early retry with another 429: the header's wait is the wait
    server.on("/data", {"status": 429, "headers": {"Retry-After": "2"}, "body": b""}, {"body": XML})
    f, sleeps = make_fetcher(tmp_path, backoff_max=1)
    assert f.fetch(req(server)).body() == XML
    assert sleeps == [2.0] and server.hits("/data") == 2


NOW = datetime(2026, 7, 15, 5, 30, tzinfo=UTC)  # 14:30 in Korea


def test_retry_after_beyond_the_ceiling_stops_the_source_for_this_run(server, tmp_path):
    server.on("/data", {"status": 429, "headers": {"Retry-After": "3600"}, "body": b"slow down"})
    server.on("/other", {"body": XML})
    f, sleeps = make_fetcher(tmp_path, backoff_max=1, retry_after_max=900, clock=lambda: NOW)
    with pytest.raises(RateLimitedUntil) as ei:
        f.fetch(req(server))
    assert ei.value.until == NOW + timedelta(hours=1) and not ei.value.retryable
    msg = str(ei.value)
    assert "rate limited until 2026-07-15T06:30:00+00:00" in msg and "3600 s" in msg and "SECRETKEY123" not in msg
    assert sleeps == [] and server.hits("/data") == 1  # not waited, not retried
    # the rest of the source's requests this run are not sent at all; another source's are
    with pytest.raises(RateLimitedUntil):
        f.fetch(req(server, "/other"))
    assert server.hits("/other") == 0
    assert f.fetch(Request(source="other", url=server.url + "/other")).status == 200


def test_retry_after_as_a_date_beyond_the_ceiling(server, tmp_path):
    later = "Wed, 15 Jul 2026 07:30:00 GMT"
    server.on("/data", {"status": 429, "headers": {"Retry-After": later}, "body": b""})
    f, _ = make_fetcher(tmp_path, retry_after_max=900, clock=lambda: NOW)
    with pytest.raises(RateLimitedUntil):
        f.fetch(req(server))
    assert server.hits("/data") == 1


QUOTA = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<OpenAPI_ServiceResponse>\n<cmmMsgHeader>\n'
    b"  <errMsg>SERVICE ERROR</errMsg>\n"
    b"  <returnAuthMsg>LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR</returnAuthMsg>\n"
    b"  <returnReasonCode>22</returnReasonCode>\n</cmmMsgHeader>\n</OpenAPI_ServiceResponse>"
)


def test_datagokr_daily_quota_pauses_that_api_until_midnight_kst(server, tmp_path):
    server.on("/1220000/Newtrade/getNewtradeList", {"body": QUOTA, "headers": {"Content-Type": "text/xml"}})
    server.on("/1220000/nationtrade/getNationtradeList", {"body": XML})
    f, sleeps = make_fetcher(tmp_path, clock=lambda: NOW)
    newtrade = req(server, "/1220000/Newtrade/getNewtradeList")
    with pytest.raises(RateLimitedUntil) as ei:
        f.fetch(newtrade)
    assert ei.value.until == datetime(2026, 7, 16, 0, 0, tzinfo=KST) and "quota" in str(ei.value)
    assert sleeps == [] and server.hits("/1220000/Newtrade/getNewtradeList") == 1
    # not archived: a resumed backfill asks again instead of reusing the refusal
    assert f.archive.latest(newtrade.key) is None
    with pytest.raises(RateLimitedUntil):
        f.fetch(req(server, "/1220000/Newtrade/getNewtradeList", label="another window"))
    assert server.hits("/1220000/Newtrade/getNewtradeList") == 1
    # each API has its own quota: the others go on
    assert f.fetch(req(server, "/1220000/nationtrade/getNationtradeList")).body() == XML


def test_quota_is_recognised_in_both_envelopes():
    import json

    assert quota_spent(QUOTA)
    body = {"OpenAPI_ServiceResponse": {"cmmMsgHeader": {"errMsg": "SERVICE ERROR", "returnReasonCode": "22"}}}
    assert quota_spent(json.dumps(body).encode())
    assert not quota_spent(body_other := QUOTA.replace(b">22<", b">30<").replace(b"LIMITED_NUMBER", b"UNREGISTERED"))
    assert not quota_spent(XML) and body_other


def test_next_midnight_kst():
    assert next_midnight_kst(datetime(2026, 7, 15, 14, 59, tzinfo=UTC)) == datetime(2026, 7, 16, tzinfo=KST)
    assert next_midnight_kst(datetime(2026, 7, 15, 15, 0, tzinfo=UTC)) == datetime(2026, 7, 17, tzinfo=KST)


def test_a_url_that_carries_its_own_query_keeps_it(server, tmp_path):
    # a release link such as selectNttInfo.do?mi=2891&bbsId=1362&nttSn=10170123, fetched without params
    server.on("/view", {"body": XML})
    f, _ = make_fetcher(tmp_path)
    f.fetch(Request(source="test", url=server.url + "/view?mi=2891&nttSn=10170123"))
    assert server.requests[0]["query"] == "mi=2891&nttSn=10170123"
