"""Prefect's task retries skip errors that no retry can fix (no Prefect server needed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prefect.states import Failed

from flows.flows import fetch_window_task, retry_can_help
from tradewatch.errors import (
    FetchError,
    LayoutChanged,
    RateLimited,
    RateLimitedUntil,
    ResponseTooLarge,
    UnsafeXML,
)

URL = "http://127.0.0.1/x"


@pytest.mark.parametrize(
    "exc, retried",
    [
        (FetchError("kcs", URL, "HTTP 503 after 5 attempts", status=503), True),
        (RateLimited("kcs", URL, 2.0), True),
        (ResponseTooLarge("kcs", URL, 1000), False),
        (RateLimitedUntil("kcs", URL, datetime(2026, 7, 16, tzinfo=UTC), "quota"), False),
        (LayoutChanged("kcs", URL, "no items"), False),
        (UnsafeXML("kcs", URL, "a DTD"), False),
    ],
)
def test_fetch_task_retries_only_what_a_retry_can_fix(exc, retried):
    state = Failed(data=exc, message=str(exc))
    assert retry_can_help(fetch_window_task, None, state) is retried
    assert fetch_window_task.retry_condition_fn is retry_can_help and fetch_window_task.retries == 2
