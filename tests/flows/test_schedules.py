"""Release calendars → release-day schedules (serve and prefect.yaml alike) and the silence rule's day."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from flows.deploy import poll_schedules
from scrapers import get_source
from scrapers.base import Source
from scrapers.calendar import CALENDARS, ReleaseWindow, calendar_for
from tradewatch.config import load_settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
KST = ZoneInfo("Asia/Seoul")


def test_the_windows_the_issue_names_become_these_crons():
    by = {(s.parameters["source"], s.cron, s.timezone) for s in poll_schedules()}
    assert by == {
        ("motie", "*/15 9-11 1 * *", "Asia/Seoul"),  # MOTIR, the 1st, 09:00-12:00 KST every 15 minutes
        ("kcs_releases", "*/15 9-11 11 * *", "Asia/Seoul"),  # customs 10-day preliminary
        ("kcs_releases", "*/30 9-17 14-16 * *", "Asia/Seoul"),  # customs monthly release
        ("kcs_releases", "*/15 9-11 21 * *", "Asia/Seoul"),  # customs 20-day preliminary
        ("kcs", "*/30 9-17 14-16 * *", "Asia/Seoul"),  # KCS, 14th-16th
        ("vn_customs", "*/30 8-17 4-12 * *", "Asia/Ho_Chi_Minh"),  # Vietnam customs, 4th-12th
    }


def test_prefect_yaml_polls_on_the_generated_schedules():
    doc = yaml.safe_load((DEPLOY / "prefect.yaml").read_text(encoding="utf-8"))
    (poll,) = [d for d in doc["deployments"] if d["name"] == "release-poll"]
    in_yaml = {(s["parameters"]["source"], s["cron"], s["timezone"], s["slug"]) for s in poll["schedules"]}
    generated = {(s.parameters["source"], s.cron, s.timezone, s.slug) for s in poll_schedules()}
    assert in_yaml == generated


def test_the_silence_rule_reads_the_same_calendar():
    settings = load_settings()
    for sid, cal in CALENDARS.items():
        assert get_source(sid, settings).release_day == cal.release_day
    assert calendar_for("kcs").release_day == 15 and calendar_for("motie").release_day == 1


def test_a_source_that_contradicts_its_calendar_does_not_import():
    with pytest.raises(TypeError, match="disagrees with its release calendar"):

        class Wrong(Source):
            id = "kcs"
            release_day = 3


def test_windows_and_due_periods():
    motie = calendar_for("motie")
    assert motie.window_at(datetime(2026, 12, 1, 9, 0, tzinfo=KST)) is not None
    assert motie.window_at(datetime(2026, 12, 1, 12, 0, tzinfo=KST)) is None  # the window closes at 12:00
    assert motie.window_at(datetime(2026, 12, 1, 8, 59, tzinfo=KST)) is None
    assert str(motie.window_on(date(2026, 12, 1)).due_period(date(2026, 12, 1))) == "2026-11"
    assert motie.window_on(date(2026, 12, 2)) is None
    customs = calendar_for("kcs_releases")
    assert str(customs.window_on(date(2026, 12, 11)).due_period(date(2026, 12, 11))) == "2026-12-01..2026-12-10"
    assert str(customs.window_on(date(2026, 12, 15)).due_period(date(2026, 12, 15))) == "2026-11"
    assert str(customs.window_on(date(2026, 12, 21)).due_period(date(2026, 12, 21))) == "2026-12-01..2026-12-20"
    vn = calendar_for("vn_customs")
    # 08:00 in Hanoi is 10:00 in Seoul
    assert vn.window_at(datetime(2026, 12, 4, 9, 30, tzinfo=KST)) is None
    assert vn.window_at(datetime(2026, 12, 4, 10, 0, tzinfo=KST)) is not None
    assert vn.next_opening(datetime(2026, 12, 13, tzinfo=KST)) == datetime(
        2027, 1, 4, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")
    )


@pytest.mark.parametrize(
    "kw, why",
    [
        (dict(first_day=16, last_day=14), "within 1..28"),
        (dict(first_day=29, last_day=30), "within 1..28"),
        (dict(every_minutes=7), "poll every"),
        (dict(publishes="days"), "11th or the 21st"),
    ],
)
def test_a_malformed_window_is_refused(kw, why):
    from datetime import time

    args = dict(first_day=1, last_day=1, start=time(9), end=time(12), every_minutes=15, timezone="Asia/Seoul")
    args.update(kw)
    with pytest.raises(ValueError, match=why):
        ReleaseWindow(**args)
