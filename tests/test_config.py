"""Settings: the runs' one notion of "today" (TRADEWATCH_TODAY), and what a nightly plans from it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tradewatch.config import load_settings
from tradewatch.errors import ConfigError


def test_today_comes_from_the_setting(settings, monkeypatch):
    monkeypatch.setenv("TRADEWATCH_TODAY", "2031-02-28")
    assert load_settings(data_dir=settings.data_dir).run_today() == date(2031, 2, 28)


def test_without_the_setting_today_is_the_utc_date(settings, monkeypatch):
    monkeypatch.delenv("TRADEWATCH_TODAY", raising=False)
    before = datetime.now(UTC).date()
    got = load_settings(data_dir=settings.data_dir).run_today()
    assert before <= got <= datetime.now(UTC).date()


def test_a_malformed_today_is_a_named_settings_error(settings, monkeypatch):
    monkeypatch.setenv("TRADEWATCH_TODAY", "2031-13-01")
    with pytest.raises(ConfigError, match="today"):
        load_settings(data_dir=settings.data_dir)


@pytest.mark.parametrize(
    "today, first, last", [("2031-02-28", "2030-02", "2031-01"), ("2019-01-05", "2018-01", "2018-12")]
)
def test_a_nightly_plans_its_months_from_the_setting(db, settings, monkeypatch, today, first, last):
    from flows import pipeline as p
    from scrapers import get_source

    monkeypatch.setenv("TRADEWATCH_TODAY", today)
    s = load_settings(data_dir=settings.data_dir)
    run = p.open_run(s, "nightly", {"sources": []}, db=db)
    try:
        assert run.today == date.fromisoformat(today)
        assert tuple(str(m) for m in get_source("kcs", s).nightly_range(run.today)) == (first, last)
    finally:
        run.close()


def test_a_replay_time_is_the_runs_today_over_the_setting(db, settings):
    from flows import pipeline as p

    as_of = datetime(2024, 7, 3, 1, 0, tzinfo=UTC)
    run = p.open_run(settings, "nightly", {"sources": []}, db=db, as_of=as_of)
    try:
        assert run.today == date(2024, 7, 3)
    finally:
        run.close()
