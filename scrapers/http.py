"""The one HTTP client: timeouts, per-host concurrency, retries, archive-first, replay.

``Fetcher.fetch(request)`` returns a :class:`Snapshot` whose bytes are already in
the archive: nothing parses a response that has not been stored first. Retries
(tenacity, exponential backoff with jitter) cover connection errors, timeouts,
5xx and 429. A 429's ``Retry-After`` is waited as given (not capped at the
back-off maximum: a real limiter answers an early retry with another 429) up to
``retry_after_max`` (15 minutes); a longer wait, or data.go.kr's daily quota
(gateway reason 22, reset at midnight KST), raises ``RateLimitedUntil`` and pauses
that source (the quota: that API) for the rest of the run without another request. Conditional requests reuse the ETag /
Last-Modified of the previous snapshot of the same request. In replay mode the
answers come from an archive instead of the network.

Secrets (service keys, API keys) travel in ``Request.secret_params`` /
``secret_headers``: they are sent, but never archived, logged or put in an error.
"""

from __future__ import annotations

import email.utils
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from datetime import time as dtime
from typing import Any
from urllib.parse import urlsplit

import httpx
import tenacity

from scrapers.archive import KEPT_HEADERS, Archive, Snapshot, request_key, utcnow
from tradewatch.errors import (
    ConfigError,
    DisallowedHost,
    FetchError,
    RateLimited,
    RateLimitedUntil,
    ReplayMiss,
    ResponseTooLarge,
    TradewatchError,
)

log = logging.getLogger(__name__)
# httpx logs every request URL at INFO, query string (and so any key in it) included.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# The longest Retry-After a run waits out; beyond it the source stops for this run.
RETRY_AFTER_MAX = 15 * 60.0
# data.go.kr's gateway envelope saying the key's daily quota for this API is spent
# (reason 22 LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR, XML or JSON, HTTP 200).
_QUOTA_SPENT = re.compile(rb"returnReasonCode\W{0,4}22\W|LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS")
KST = timezone(timedelta(hours=9))


def next_midnight_kst(now: datetime) -> datetime:
    """When data.go.kr's daily quotas reset: the next 00:00 in Korea."""
    local = now.astimezone(KST)
    return datetime.combine(local.date() + timedelta(days=1), dtime(0), tzinfo=KST)


def quota_spent(body: bytes) -> bool:
    """True for data.go.kr's "daily quota spent" gateway envelope."""
    head = body[:4096]
    return b"OpenAPI_ServiceResponse" in head and bool(_QUOTA_SPENT.search(head))


def redact(text: str, secrets: Iterable[str]) -> str:
    for s in secrets:
        if s and len(s) >= 4:
            text = text.replace(s, "***")
    return text


@dataclass(frozen=True)
class Request:
    """What a source asks for. ``params`` are archived; ``secret_params`` are not."""

    source: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    secret_params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    secret_headers: dict[str, str] = field(default_factory=dict)
    label: str | None = None
    allowed_hosts: tuple[str, ...] | None = None
    method: str = "GET"

    @property
    def key(self) -> str:
        return request_key(self.source, self.method, self.url, self.params)

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    def display_url(self) -> str:
        from urllib.parse import urlencode

        return f"{self.url}?{urlencode(sorted(self.params.items()))}" if self.params else self.url


class _Retry(Exception):
    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        dt = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return max(0.0, dt.timestamp() - (now if now is not None else time.time()))


class Fetcher:
    """Fetch requests through the archive. Thread-safe; use one per run."""

    def __init__(
        self,
        archive: Archive,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_retries: int = 4,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        concurrency_per_host: int = 4,
        max_response_bytes: int = 50 * 1024 * 1024,
        user_agent: str = "tradewatch",
        secrets: Sequence[str] = (),
        replay: Archive | None = None,
        as_of: datetime | None = None,
        on_snapshot: Callable[[Snapshot], None] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        sample: bool = False,
        retry_after_max: float = RETRY_AFTER_MAX,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.archive = archive
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.concurrency_per_host = concurrency_per_host
        self.max_response_bytes = max_response_bytes
        self.secrets = [s for s in secrets if s]
        self.replay = replay
        self.as_of = as_of
        self.on_snapshot = on_snapshot
        self.sleep = sleep
        self.retry_after_max = retry_after_max
        self.clock = clock
        # (source, url) -> until: requests this run must not send (rate limit, quota)
        self._paused: dict[tuple[str, str | None], RateLimitedUntil] = {}
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self.stats = {"requests": 0, "retries": 0, "not_modified": 0, "replayed": 0, "bytes": 0}
        self._client = None
        if replay is None:
            self._client = httpx.Client(
                timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
                headers={"User-Agent": user_agent},
                follow_redirects=False,
                transport=transport,
                limits=httpx.Limits(max_connections=max(10, concurrency_per_host * 4)),
            )

    @classmethod
    def from_settings(cls, settings, **kw) -> Fetcher:
        args = dict(
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            max_retries=settings.max_retries,
            backoff_base=settings.backoff_base,
            backoff_max=settings.backoff_max,
            concurrency_per_host=settings.concurrency_per_host,
            max_response_bytes=settings.max_response_bytes,
            user_agent=settings.user_agent,
            secrets=settings.secrets(),
        )
        args.update(kw)
        return cls(Archive(settings.archive_dir), **args)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- public -------------------------------------------------------------------------
    def fetch(self, req: Request) -> Snapshot:
        if req.allowed_hosts is not None and urlsplit(req.url).hostname not in req.allowed_hosts:
            raise DisallowedHost(
                req.source, req.display_url(), f"host {urlsplit(req.url).hostname!r} is not among the source's hosts"
            )
        if self.replay is not None:
            return self._replay(req)
        paused = self._paused_for(req)
        if paused is not None:
            raise RateLimitedUntil(
                req.source, req.display_url(), paused.until, f"not sent this run; an earlier answer: {paused.reason}"
            )
        return self._fetch_live(req)

    def _paused_for(self, req: Request) -> RateLimitedUntil | None:
        with self._lock:
            for key in ((req.source, None), (req.source, req.url)):
                hit = self._paused.get(key)
                if hit is not None and hit.until > self.clock():
                    return hit
        return None

    def _pause(self, key: tuple[str, str | None], err: RateLimitedUntil) -> RateLimitedUntil:
        with self._lock:
            self._paused[key] = err
        log.warning("%s", err)
        return err

    def fetch_many(self, reqs: Sequence[Request]) -> list[Snapshot | TradewatchError]:
        """Fetch concurrently (bounded per host); each slot holds a snapshot or the error."""
        if not reqs:
            return []

        def one(r: Request) -> Snapshot | TradewatchError:
            try:
                return self.fetch(r)
            except TradewatchError as exc:
                return exc

        workers = min(len(reqs), max(1, self.concurrency_per_host * max(1, len({r.host for r in reqs}))))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tw-fetch") as pool:
            return list(pool.map(one, reqs))

    # --- replay -------------------------------------------------------------------------
    def _replay(self, req: Request) -> Snapshot:
        if self.replay is None:
            raise ConfigError("a replay fetch without a replay archive")
        snap = self.replay.latest(req.key, self.as_of)
        if snap is None:
            when = f" as of {self.as_of.isoformat()}" if self.as_of else ""
            raise ReplayMiss(
                req.source, req.display_url(), f"the replay archive has no response for this request{when}"
            )
        snap = self.archive.import_snapshot(snap)
        with self._lock:
            self.stats["replayed"] += 1
        if self.on_snapshot:
            self.on_snapshot(snap)
        return snap

    # --- live ---------------------------------------------------------------------------
    def _semaphore(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            sem = self._semaphores.get(host)
            if sem is None:
                sem = self._semaphores[host] = threading.BoundedSemaphore(self.concurrency_per_host)
            return sem

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        backoff = tenacity.wait_exponential_jitter(initial=self.backoff_base, max=self.backoff_max)(state)
        if isinstance(exc, _Retry) and exc.retry_after is not None:
            return exc.retry_after  # as the server asked: _fetch_live stops beyond the ceiling
        return backoff

    def _fetch_live(self, req: Request) -> Snapshot:
        client = self._client
        if client is None:
            raise ConfigError("a live fetch from a fetcher that replays an archive")
        display = req.display_url()
        previous = self.archive.latest(req.key)
        headers = dict(req.headers)
        if previous is not None and 200 <= previous.status < 300:
            if etag := previous.headers.get("etag"):
                headers["If-None-Match"] = etag
            if lm := previous.headers.get("last-modified"):
                headers["If-Modified-Since"] = lm
        headers.update(req.secret_headers)
        params = {**req.params, **req.secret_params}

        def attempt() -> tuple[int, dict[str, str], bytes]:
            with self._semaphore(req.host):
                with self._lock:
                    self.stats["requests"] += 1
                try:
                    # params=None, not {}: an empty mapping would drop a query the URL itself carries
                    with client.stream(req.method, req.url, params=params or None, headers=headers) as resp:
                        declared = resp.headers.get("content-length")
                        if declared and declared.isdigit() and int(declared) > self.max_response_bytes:
                            raise ResponseTooLarge(req.source, display, self.max_response_bytes)
                        chunks, size = [], 0
                        for chunk in resp.iter_bytes():
                            size += len(chunk)
                            if size > self.max_response_bytes:
                                raise ResponseTooLarge(req.source, display, self.max_response_bytes)
                            chunks.append(chunk)
                        body = b"".join(chunks)
                        kept = {h: resp.headers[h] for h in KEPT_HEADERS if h in resp.headers}
                        status = resp.status_code
                except httpx.TimeoutException as exc:
                    raise _Retry(f"timed out ({type(exc).__name__})") from None
                except (httpx.TransportError, httpx.DecodingError) as exc:
                    raise _Retry(
                        f"connection failed ({type(exc).__name__}: {redact(str(exc), self.secrets)})"
                    ) from None
            if status in RETRY_STATUSES:
                retry_after = parse_retry_after(kept.get("retry-after"), self.clock().timestamp())
                if status == 429 and retry_after is not None and retry_after > self.retry_after_max:
                    until = self.clock() + timedelta(seconds=retry_after)
                    raise self._pause(
                        (req.source, None),
                        RateLimitedUntil(
                            req.source,
                            display,
                            until,
                            f"HTTP 429 asking for {retry_after:g} s, beyond the {self.retry_after_max:g} s a run waits;"
                            " the source stops for this run",
                        ),
                    )
                err = _Retry(f"HTTP {status}", status=status, retry_after=retry_after)
                err.body, err.headers = body, kept  # type: ignore[attr-defined]
                raise err
            if 200 <= status < 300 and quota_spent(body):
                # Not archived: it is not the answer, and a resumed backfill must ask again.
                raise self._pause(
                    (req.source, req.url),
                    RateLimitedUntil(
                        req.source,
                        display,
                        next_midnight_kst(self.clock()),
                        "data.go.kr gateway reason 22: the daily request quota of this API is spent;"
                        " it resets at midnight KST",
                    ),
                )
            return status, kept, body

        def before_sleep(state: tenacity.RetryCallState) -> None:
            with self._lock:
                self.stats["retries"] += 1
            exc = state.outcome.exception() if state.outcome is not None else None
            log.info("%s: %s; retry %d of %d", req.source, exc, state.attempt_number, self.max_retries)

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.max_retries + 1),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(_Retry),
            before_sleep=before_sleep,
            sleep=self.sleep,
            reraise=True,
        )
        try:
            status, kept, body = retrying(attempt)
        except _Retry as exc:
            last = getattr(exc, "body", None)
            if last is not None:  # keep the final error body too: it may explain the failure
                self._archive(req, exc.status or 0, getattr(exc, "headers", {}), last)
            tries = self.max_retries + 1
            if exc.status == 429:
                raise RateLimited(
                    req.source, display, exc.retry_after, f"rate limited (HTTP 429) after {tries} attempts"
                ) from None
            raise FetchError(req.source, display, f"{exc} after {tries} attempts", status=exc.status) from None

        if status == 304 and previous is not None:
            with self._lock:
                self.stats["not_modified"] += 1
            return replace(previous, not_modified=True)
        with self._lock:
            self.stats["bytes"] += len(body)
        return self._archive(req, status, kept, body)

    def _archive(self, req: Request, status: int, headers: dict[str, str], body: bytes) -> Snapshot:
        snap = self.archive.store(
            body,
            source=req.source,
            method=req.method,
            url=req.url,
            params=dict(req.params),
            request_key=req.key,
            status=status,
            headers=headers,
            fetched_at=utcnow(),
            label=req.label,
        )
        if self.on_snapshot:
            self.on_snapshot(snap)
        return snap


def check_status(snap: Snapshot) -> None:
    """Raise a FetchError for an HTTP error status a source did not explain itself."""
    if snap.status >= 400:
        raise FetchError(snap.source, snap.full_url, f"HTTP {snap.status}", status=snap.status)
