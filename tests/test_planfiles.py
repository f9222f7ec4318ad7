"""wfm.planfiles: the plan files' readers, the one UTC parser, and the shift's night test."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from wfm.errors import InputError
from wfm.planfiles import (
    COVERAGE_COLUMNS,
    ROSTER_COLUMNS,
    Shift,
    local_instant,
    parse_utc,
    read_coverage,
    read_forecast,
    read_roster,
    roster_shifts,
)
from wfm.rules import Nights

ROSTER = """agent_id,activity,start,end,start_local,end_local
A1,phone-en,2026-11-30T13:00:00Z,2026-11-30T15:00:00Z,2026-11-30T08:00:00-05:00,2026-11-30T10:00:00-05:00
A1,break,2026-11-30T15:00:00Z,2026-11-30T15:15:00Z,2026-11-30T10:00:00-05:00,2026-11-30T10:15:00-05:00
"""


def test_read_roster_gives_utc_instants_and_keeps_the_local_text(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    roster = read_roster(tmp_path / "roster.csv")
    assert tuple(roster.columns) == ROSTER_COLUMNS
    assert roster["start"].tolist() == [pd.Timestamp("2026-11-30T13:00Z"), pd.Timestamp("2026-11-30T15:00Z")]
    assert roster["start_local"].iloc[0] == "2026-11-30T08:00:00-05:00"
    (shift,) = roster_shifts(roster)["A1"]
    assert shift.paid_hours == 2.25


def test_a_bad_time_names_the_file_row_and_column(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(ROSTER.replace("2026-11-30T15:15:00Z", "2026-11-30 15:15"), encoding="utf-8")
    with pytest.raises(InputError, match=r"roster.csv row 3, column end: expected an ISO-8601 UTC time .*'2026-11-30 15:15'"):
        read_roster(tmp_path / "roster.csv")


def test_read_coverage_and_forecast(tmp_path: Path) -> None:
    (tmp_path / "coverage.csv").write_text(
        "queue,interval_start,required,scheduled,service_level,asa_seconds\n"
        "phone-en,2026-11-30T13:00:00Z,3,2.5,,\n"
        "phone-en,2026-11-30T13:15:00Z,3,3,0.85,12.5\n",
        encoding="utf-8",
    )
    coverage = read_coverage(tmp_path / "coverage.csv")
    assert tuple(coverage.columns) == COVERAGE_COLUMNS
    assert coverage["scheduled"].tolist() == [2.5, 3.0] and pd.isna(coverage["service_level"].iloc[0])
    (tmp_path / "forecast.csv").write_text(
        "queue,interval_start,contacts,aht_seconds\nchat-en,2026-11-30T13:00:00Z,12.5,lots\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"forecast.csv row 2, column aht_seconds: expected a number, got 'lots'"):
        read_forecast(tmp_path / "forecast.csv")
    (tmp_path / "bad.csv").write_text("interval_start,contacts,aht_seconds\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.csv header: required column 'queue' is missing"):
        read_forecast(tmp_path / "bad.csv")


def test_parse_utc_accepts_offsets_and_refuses_naive_times() -> None:
    parsed = parse_utc(pd.Series(["2026-11-30T09:00:00+08:00", "2026-11-30T01:00:00Z"]), "x.csv", "start")
    assert parsed.tolist() == [pd.Timestamp("2026-11-30T01:00Z")] * 2
    with pytest.raises(InputError, match=r"x\.csv row 2, column start"):
        parse_utc(pd.Series(["2026-11-30T09:00:00"]), "x.csv", "start")


def test_local_instant_reads_the_clock_across_dst() -> None:
    new_york = ZoneInfo("America/New_York")
    # 01:30 happens twice on 1 Nov 2026: the first reading (EDT).
    assert local_instant(new_york, datetime(2026, 11, 1).date(), 90) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    # 02:30 does not exist on 8 Mar 2026: the instant the clock jumps, 03:00 EDT.
    assert local_instant(new_york, datetime(2026, 3, 8).date(), 150) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)


def test_is_night_follows_the_profiles_window() -> None:
    def shift(start: str, end: str) -> Shift:
        roster = pd.DataFrame({"agent_id": ["A"], "activity": ["phone-en"], "start": [start], "end": [end]})
        return roster_shifts(roster)["A"][0]

    madrid = ZoneInfo("Europe/Madrid")
    evening = shift("2026-11-30T15:00Z", "2026-11-30T22:00Z")  # 16:00–23:00 Madrid
    early = shift("2026-11-30T04:00Z", "2026-11-30T12:00Z")  # 05:00–13:00 Madrid
    assert [s.is_night(madrid, Nights()) for s in (evening, early)] == [False, True]
    late = Nights(window_start_hour=22, window_end_hour=4)  # crosses midnight
    assert [s.is_night(madrid, late) for s in (evening, early)] == [True, False]
