"""The plan week's clock: UTC week bounds, interval grids and agents' local days.

All arithmetic is in UTC; local clocks (DST-aware, via zoneinfo) only answer questions people
ask: which local date a shift starts on, whether it touches the night, what a window means.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pandas as pd

UTC = dt.UTC
# One minute in the int64 nanoseconds numpy and pandas count instants in.
MINUTE_NS = 60 * 1_000_000_000


def week_start(week: dt.date) -> dt.datetime:
    """Monday 00:00 UTC of the plan week."""
    return dt.datetime(week.year, week.month, week.day, tzinfo=UTC)


def week_bounds(week: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = week_start(week)
    return start, start + dt.timedelta(days=7)


def interval_grid(week: dt.date, interval_minutes: int) -> pd.DatetimeIndex:
    """Every interval start of the plan week, UTC."""
    start, end = week_bounds(week)
    return pd.date_range(start, end, freq=f"{interval_minutes}min", inclusive="left", tz="UTC")


def local_days(timezone: str, week: dt.date) -> list[dt.date]:
    """The 7 local dates that count as an agent's days of the plan week (FORMATS conventions):
    they begin with the agent's local date at the plan week's Monday 00:00 UTC."""
    first = week_start(week).astimezone(zoneinfo.ZoneInfo(timezone)).date()
    return [first + dt.timedelta(days=i) for i in range(7)]


def local_midnight_utc(timezone: str, local_date: dt.date) -> dt.datetime:
    """The UTC instant of local 00:00 on `local_date` (the first instant of that date, DST-correct)."""
    zone = zoneinfo.ZoneInfo(timezone)
    naive = dt.datetime.combine(local_date, dt.time())
    # fold=0 picks the earlier of an ambiguous time; a non-existent midnight moves forward.
    aware = naive.replace(tzinfo=zone)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != naive:
        # Midnight does not exist (a DST jump at 00:00): the date starts at the jump.
        utc = (naive + dt.timedelta(hours=1)).replace(tzinfo=zone).astimezone(UTC) - dt.timedelta(hours=1)
    return utc


def local_iso(instant: dt.datetime, timezone: str) -> str:
    """ISO-8601 with the agent's offset, e.g. 2026-11-30T09:00:00+08:00."""
    return instant.astimezone(zoneinfo.ZoneInfo(timezone)).isoformat()


def utc_iso(instant: dt.datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
