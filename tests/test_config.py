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


# --- secrets that name a Prefect Secret block ------------------------------------------------------


def test_a_secret_may_name_a_block_read_when_the_run_starts(settings, monkeypatch):
    monkeypatch.setenv("TRADEWATCH_SLACK_WEBHOOK_URL", "block:slack-webhook")
    monkeypatch.setenv("TRADEWATCH_KCS_SERVICE_KEY", "block: kcs-key ")
    s = load_settings(data_dir=settings.data_dir)
    assert s.secret_blocks() == {"slack_webhook_url": "slack-webhook", "kcs_service_key": "kcs-key"}
    assert s.describe()["slack_webhook_url"] == "(Prefect Secret block 'slack-webhook')"
    assert s.secrets() == []  # a block's name is not a secret; nothing to redact yet

    values = {"slack-webhook": "https://hooks.slack.com/services/T1/B1/tok3n-abc", "kcs-key": "k3y-0123"}
    read: list[str] = []
    resolved = s.with_secrets(lambda name: read.append(name) or values[name])
    assert sorted(read) == ["kcs-key", "slack-webhook"]
    assert resolved.slack_webhook_url.get_secret_value() == values["slack-webhook"]
    assert resolved.kcs_service_key.get_secret_value() == "k3y-0123"
    assert set(values.values()) <= set(resolved.secrets())  # redacted everywhere from now on
    assert resolved.secret_errors == {} and resolved.describe()["kcs_service_key"] == "(set)"
    assert s.secret_blocks()  # the loaded settings are left as they were


def test_an_unreadable_block_is_recorded_not_raised(settings, monkeypatch):
    monkeypatch.setenv("TRADEWATCH_SLACK_WEBHOOK_URL", "block:slack-webhook")
    monkeypatch.setenv("TRADEWATCH_KCS_SERVICE_KEY", "block:kcs-key")
    monkeypatch.setenv("TRADEWATCH_COMTRADE_API_KEY", "block:")

    def read(name: str) -> str:
        if name == "kcs-key":
            return {"not": "text"}  # type: ignore[return-value]
        raise RuntimeError("the API is down: https://user:hunter2@prefect.example/api")

    s = load_settings(data_dir=settings.data_dir).with_secrets(read)
    errors = s.secret_errors
    assert set(errors) == {"slack_webhook_url", "kcs_service_key", "comtrade_api_key"}
    assert "'slack-webhook'" in errors["slack_webhook_url"] and "RuntimeError" in errors["slack_webhook_url"]
    assert "hunter2" not in " ".join(errors.values())  # only the error's type, never its text
    # a channel keeps its reference (its deliveries are queued, then held); a source key is unset
    assert s.slack_webhook_url is not None and s.kcs_service_key is None and s.comtrade_api_key is None
