"""Typed errors. Each says what failed and where; none carries a secret.

The fetch and parse errors name the source id and the URL (with secrets already
removed by the caller: see ``scrapers.http.redact_url``).
"""

from __future__ import annotations


class TradewatchError(Exception):
    """Base of every error tradewatch raises on purpose.

    ``retryable`` says whether trying the same thing again later in the same run can
    help (a dropped connection, a 503); an answer over the size limit, a changed layout
    or a spent quota is the same on every attempt, so task retries skip it.
    """

    retryable: bool = True


class InvalidPeriod(TradewatchError, ValueError):
    """A period string that is not one of the canonical forms."""


class UnknownCountry(TradewatchError, KeyError):
    """A country code or name the registry does not know."""

    def __init__(self, value: str, kind: str = "name", where: str | None = None):
        self.value = value
        self.kind = kind
        self.where = where
        msg = f"unknown country {kind} {value!r}"
        if where:
            msg += f" in {where}"
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.args[0]


class ConfigError(TradewatchError):
    """Settings that cannot work (an unknown source id, a malformed URL...)."""


# --- fetching -------------------------------------------------------------------


class SourceError(TradewatchError):
    """Something a source did wrong; carries the source id and the (redacted) URL."""

    def __init__(self, source: str, url: str | None, message: str):
        self.source = source
        self.url = url
        self.detail = message
        where = f"{source}" + (f" ({url})" if url else "")
        super().__init__(f"{where}: {message}")


class FetchError(SourceError):
    """The request failed after its retries (connection error, timeout, HTTP status)."""

    def __init__(self, source: str, url: str | None, message: str, status: int | None = None):
        self.status = status
        super().__init__(source, url, message)


class RateLimited(FetchError):
    """HTTP 429 (or a quota error) that outlived the retries."""

    def __init__(self, source: str, url: str | None, retry_after: float | None, message: str = ""):
        self.retry_after = retry_after
        wait = f"; server asked to wait {retry_after:g} s" if retry_after is not None else ""
        super().__init__(source, url, (message or "rate limited (HTTP 429)") + wait, status=429)


class RateLimitedUntil(RateLimited):
    """The server asked for a wait beyond what a run may sleep (or a daily quota is spent).

    The source stops for this run; the next run resumes the windows left.
    """

    retryable = False

    def __init__(self, source: str, url: str | None, until, reason: str):
        self.until = until  # an aware datetime
        self.reason = reason
        RateLimited.__init__(self, source, url, None, f"rate limited until {until.isoformat()} ({reason})")


class ResponseTooLarge(FetchError):
    retryable = False

    def __init__(self, source: str, url: str | None, limit: int):
        self.limit = limit
        super().__init__(source, url, f"response body exceeds the size limit of {limit} bytes; cut off")


class DisallowedHost(SourceError):
    """A URL outside the hosts configured for the source (a release linking off-site)."""

    retryable = False


class ReplayMiss(SourceError):
    """Replay mode: the archive has no response for this request."""


class ArchiveError(TradewatchError):
    """The archive cannot be written or read, or a stored object fails its hash check."""


# --- parsing --------------------------------------------------------------------


class ParseError(SourceError):
    """The bytes could not be read at all (malformed, truncated, wrong encoding)."""

    retryable = False


class UnsafeXML(ParseError):
    """An XML document with a DTD, entity declarations or external references."""


class LayoutChanged(ParseError):
    """The page or response is there but not in the shape the parser knows."""

    def __init__(self, source: str, url: str | None, message: str, *, missing=(), found=()):
        self.missing = list(missing)
        self.found = list(found)
        extra = ""
        if self.missing:
            extra += f"; missing: {', '.join(map(str, self.missing))}"
        if self.found:
            extra += f"; found: {', '.join(map(str, self.found))}"
        super().__init__(source, url, message + extra)


class EmptyResult(ParseError):
    """A response that parses to nothing where something was expected."""


class GatewayError(SourceError):
    """data.go.kr's gateway envelope (``OpenAPI_ServiceResponse``)."""

    def __init__(self, source: str, url: str | None, code: str, err_msg: str, explanation: str):
        self.code = code
        self.err_msg = err_msg
        super().__init__(source, url, f"gateway error {code} {err_msg}: {explanation}")


class ServiceError(SourceError):
    """The service's own error envelope (KCS ``resultCode`` other than 00)."""

    def __init__(self, source: str, url: str | None, code: str, result_msg: str):
        self.code = code
        self.result_msg = result_msg
        super().__init__(source, url, f"service error {code}: {result_msg}")


class QueryError(TradewatchError, ValueError):
    """A query that breaks the source's rules, refused before any request is sent."""


class ExtractionError(TradewatchError):
    """Text that cannot be read as a release (no text layer, garbled number...)."""
