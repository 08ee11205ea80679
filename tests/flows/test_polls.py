"""Release-day polls without Prefect: the source "publishes" in the middle of its window.

The KCS fixture server answers from the sample archive as of night 1 (the month due,
2026-10, is not out: empty ``<items/>``), then as of night 2 (it is out). The clock is
the suite's today (2026-11-16, inside KCS's 14th–16th window).
"""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from flows.polls import poll_source
from tests.fixtures.env import isolate_settings
from tests.fixtures.fault_server import fault_server
from tests.fixtures.receivers import HttpReceiver
from tradewatch import samples

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """A data directory holding the sample's night 1 (2022-01..2026-09), stored by replay."""
    from tests.reliability.conftest import backfill_replay, make_settings

    mp = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("poll-baseline")
    isolate_settings(mp, root)
    try:
        settings = make_settings(root / "data")
        backfill_replay(settings)
    finally:
        mp.undo()
    return root / "data"


def _settings(data, url, **kw):
    from tests.reliability.conftest import make_settings

    return make_settings(data, url, read_timeout=5.0, **kw)


def test_the_poll_after_publication_alerts_once_then_polls_stop(baseline, tmp_path, monkeypatch):
    isolate_settings(monkeypatch, tmp_path)
    data = tmp_path / "data"
    shutil.copytree(baseline, data)
    with fault_server(samples.SAMPLE_ARCHIVE, samples.NIGHT1, on_miss="empty") as srv, HttpReceiver() as slack:
        settings = _settings(data, srv.url, slack_webhook_url=slack.url("/hook"))

        before = poll_source(settings, "kcs")  # 2026-10 not out yet
        assert before.outcome == "nothing-new" and before.due == "2026-10"
        assert slack.requests == []

        again = poll_source(settings, "kcs")  # same answer: one conditional request, nothing raised
        assert again.outcome == "nothing-new" and again.requests == 1
        assert slack.requests == []

        srv.as_of = samples.NIGHT2  # KCS publishes 2026-10
        n = len(srv.requests)
        out = poll_source(settings, "kcs")
        assert out.outcome == "ingested", out
        assert out.summary["new_figures"] > 0 and out.summary["alerts"], out.summary
        assert len(slack.requests) >= 1  # delivered by the poll itself, within the window
        assert len(srv.requests) - n == out.requests
        sent = len(slack.requests)

        n = len(srv.requests)
        after = poll_source(settings, "kcs")
        assert after.outcome == "already-stored" and after.requests == 0
        assert len(srv.requests) == n and len(slack.requests) == sent  # no request, nothing raised


def test_no_poll_outside_the_release_window(baseline, tmp_path, monkeypatch):
    isolate_settings(monkeypatch, tmp_path)
    with fault_server(samples.SAMPLE_ARCHIVE, samples.NIGHT2) as srv:
        settings = _settings(tmp_path / "data", srv.url)
        out = poll_source(settings, "kcs", today=date(2026, 11, 20))
        assert out.outcome == "outside-window" and srv.requests == []
