"""History as the forecast needs it: checked as a series, then one regular series per queue on
the plan's interval grid.

`wfm.workspace.read_history` checks each cell (numbers, times, queue names). This module checks
what only shows across rows, and says which row is at fault:

- a queue and interval_start appear once (duplicates name both rows);
- every start lies on the queue's grid: the interval (5, 15, 30 ... minutes, counted from 00:00
  UTC) that nearly all of the queue's starts are aligned to. Rows finer than the plan interval are added up into plan
  intervals when the plan interval is a whole number of them; coarser rows are refused, since
  splitting them would invent an intraday pattern;
- missing intervals. Real exports leave out closed hours, so inside the span of a queue's
  history (its first row to its last) a missing interval counts as *closed*, no contacts, when
  the queue has no row at that local weekday and time of day (in the queue's `timezone`) in any
  week, or when special_days.csv closes that date (factor 0). Any other missing interval is a
  *gap*: the queue usually reports that time, so the row was lost or never written. Gaps stop
  the forecast with an error until the planner says how to read them: `fill_gaps="zero"` (no
  contacts then) or `fill_gaps="skip"` (the data is lost: unknown, kept out of learning and
  of accuracy scores). Nothing is repaired silently.

Row numbers: the history frame's index is the 0-based data row of history.csv, as
`read_history` returns it, so a message names file row `index + 2` (the header is row 1).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.workspace import WEEKDAYS, QueueConfig, SpecialDay

FillGaps = Literal["zero", "skip"]
FILL_GAPS: tuple[str, ...] = ("zero", "skip")
MINUTE_NS = 60 * 1_000_000_000
DAY_MINUTES = 24 * 60
HISTORY_FRAME_COLUMNS = ("queue", "interval_start", "contacts", "aht_seconds")


def check_fill_gaps(value: str | None) -> FillGaps | None:
    """Validate a `--fill-gaps` value."""
    if value is None:
        return None
    if value not in FILL_GAPS:
        raise InputError(f"--fill-gaps: expected one of {', '.join(FILL_GAPS)}, got {value!r}")
    return value  # type: ignore[return-value]


def to_ns(starts: pd.DatetimeIndex | pd.Series | np.ndarray) -> np.ndarray:
    """UTC instants as int64 nanoseconds since the epoch, whatever the datetime unit."""
    index = pd.DatetimeIndex(starts)
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    return np.asarray(index.as_unit("ns").asi8, dtype=np.int64)


def utc_text(ns: int) -> str:
    """An instant (ns since the epoch) as ISO-8601 UTC with `Z`, the way history.csv writes it."""
    return pd.Timestamp(ns, unit="ns", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def prepare_history(
    history: pd.DataFrame,
    queues: Sequence[QueueConfig],
    interval_minutes: int,
    *,
    special_days: Sequence[SpecialDay] = (),
    fill_gaps: FillGaps | None = None,
    source: str = "history.csv",
) -> pd.DataFrame:
    """Check `history` as a series and return it regular on the plan's grid.

    Returns the columns queue, interval_start (UTC), contacts, aht_seconds with, for each queue
    that has rows, every plan interval from its first to its last exactly once. contacts is NaN
    where unknown (a gap read with `fill_gaps="skip"`), 0 where closed; aht_seconds is the
    contact-weighted mean, NaN where there were no contacts. Raises InputError naming the
    file, row and column of the first problem.
    """
    if interval_minutes <= 0 or DAY_MINUTES % interval_minutes:
        raise InputError(f"interval_minutes: expected a divisor of 1440 such as 15, 30 or 60, got {interval_minutes}")
    fill_gaps = check_fill_gaps(fill_gaps)
    frame = history.loc[:, list(HISTORY_FRAME_COLUMNS)]
    names = [queue.name for queue in queues]
    unknown = ~frame["queue"].isin(names)
    if unknown.any():
        label = frame.index[int(np.argmax(unknown.to_numpy()))]
        raise InputError(
            f"{source} row {_row(label)}, column queue: expected a queue of wfm.toml ({', '.join(names)}), "
            f"got {frame['queue'][label]!r}"
        )
    _check_duplicates(frame, source)
    parts = []
    for queue in queues:
        rows = frame[frame["queue"] == queue.name]
        if rows.empty:
            continue
        parts.append(_regular_queue(rows, queue, interval_minutes, special_days, fill_gaps, source))
    if not parts:
        return pd.DataFrame(
            {
                "queue": pd.Series(dtype=object),
                "interval_start": pd.Series(dtype="datetime64[ns, UTC]"),
                "contacts": pd.Series(dtype=float),
                "aht_seconds": pd.Series(dtype=float),
            }
        )
    return pd.concat(parts, ignore_index=True)


def _row(label: object) -> int:
    return int(label) + 2  # type: ignore[call-overload]


def _check_duplicates(frame: pd.DataFrame, source: str) -> None:
    duplicated = frame.duplicated(["queue", "interval_start"], keep="first")
    if not duplicated.any():
        return
    label = frame.index[int(np.argmax(duplicated.to_numpy()))]
    queue, start = frame.at[label, "queue"], frame.at[label, "interval_start"]
    same = frame[(frame["queue"] == queue) & (frame["interval_start"] == start)]
    first = same.index[0]
    raise InputError(
        f"{source} row {_row(label)}, column interval_start: queue {queue!r} already has a row for "
        f"{utc_text(int(to_ns(same['interval_start'])[0]))} (row {_row(first)}), got a second one "
        f"(each queue and interval appear once)"
    )


def _regular_queue(
    rows: pd.DataFrame,
    queue: QueueConfig,
    interval_minutes: int,
    special_days: Sequence[SpecialDay],
    fill_gaps: FillGaps | None,
    source: str,
) -> pd.DataFrame:
    """One queue's rows → every plan interval of its span, with gaps and closed hours resolved."""
    rows = rows.sort_values("interval_start", kind="stable")
    starts = to_ns(rows["interval_start"])
    step = _native_step(starts, interval_minutes)
    _check_grid(rows, starts, step, queue.name, interval_minutes, source)

    step_ns = step * MINUTE_NS
    first = int(starts[0])
    position = (starts - first) // step_ns
    count = int(position[-1]) + 1
    contacts = np.full(count, np.nan)
    workload = np.zeros(count)
    contacts[position] = rows["contacts"].to_numpy(dtype=float)
    aht = rows["aht_seconds"].to_numpy(dtype=float)
    workload[position] = np.where(contacts[position] > 0, contacts[position] * np.nan_to_num(aht), 0.0)

    missing = np.flatnonzero(np.isnan(contacts))
    if missing.size:
        grid = first + np.arange(count, dtype=np.int64) * step_ns
        zone = zoneinfo.ZoneInfo(queue.timezone)
        local = pd.DatetimeIndex(grid.view("datetime64[ns]")).tz_localize("UTC").tz_convert(zone)
        key = np.asarray(local.day_of_week * DAY_MINUTES + local.hour * 60 + local.minute, dtype=np.int64)
        reported = np.zeros(count, dtype=bool)
        reported[position] = True
        open_keys = np.unique(key[reported])
        closed_dates = _closed_dates(special_days, queue.name)
        gap = np.isin(key[missing], open_keys)
        if closed_dates:
            dates = local[missing].date
            gap &= ~np.fromiter((date in closed_dates for date in dates), dtype=bool, count=missing.size)
        gaps = missing[gap]
        if gaps.size and fill_gaps is None:
            at = int(gaps[0])
            when = local[at]
            raise InputError(
                f"{source}, queue {queue.name!r}: no row for {utc_text(int(grid[at]))} "
                f"({WEEKDAYS[when.day_of_week]} {when.strftime('%H:%M')} in {queue.timezone}), a time the queue "
                f"reports in other weeks; {gaps.size} such interval{'s' if gaps.size > 1 else ''} missing in all "
                f"(pass --fill-gaps zero if there were no contacts, or --fill-gaps skip if the data was lost)"
            )
        contacts[missing] = 0.0
        if gaps.size and fill_gaps == "skip":
            contacts[gaps] = np.nan
    return _to_plan_grid(queue.name, first, step, contacts, workload, interval_minutes)


# Interval lengths exports use, longest first; each divides an hour and so the day.
_EXPORT_MINUTES = (60, 30, 20, 15, 12, 10, 6, 5)


def _native_step(starts: np.ndarray, interval_minutes: int) -> int:
    """The export's interval: the longest usual length that (nearly) all starts are aligned to.

    Alignment rather than the spacing of consecutive rows, because exports often leave out
    quiet intervals: rows 30 or 45 minutes apart are still a 15-minute export when some start
    at :15 or :45. "Nearly" lets a few bad rows be reported as off the grid instead of
    changing the grid; with no clear grid the plan interval is taken.
    """
    if starts.size < 2:
        return interval_minutes
    for minutes in _EXPORT_MINUTES:
        if np.mean(starts % (minutes * MINUTE_NS) == 0) >= 0.9:
            return minutes
    return interval_minutes


def _check_grid(rows: pd.DataFrame, starts: np.ndarray, step: int, queue: str, interval_minutes: int, source: str) -> None:
    if step > interval_minutes:
        hint = f"set [plan] interval_minutes = {step}, or " if step in (15, 30, 60) else ""
        raise InputError(
            f"{source}, queue {queue!r}: rows are {step} minutes apart, coarser than the plan's {interval_minutes}-minute "
            f"intervals, from {utc_text(int(starts[0]))} ({hint}give {interval_minutes}-minute history: splitting "
            f"would invent the pattern inside each row)"
        )
    if DAY_MINUTES % step or interval_minutes % step:
        raise InputError(
            f"{source}, queue {queue!r}: rows are {step} minutes apart, which do not add up to the plan's "
            f"{interval_minutes}-minute intervals (give history in {interval_minutes}-minute intervals or a divisor of it)"
        )
    off = (starts % (step * MINUTE_NS)) != 0
    if off.any():
        # Report the first offending row in file order, not in time order.
        labels = rows.index[off]
        label = min(labels)
        start = int(to_ns(rows.loc[[label], "interval_start"])[0])
        raise InputError(
            f"{source} row {_row(label)}, column interval_start: {utc_text(start)} is off the {step}-minute grid "
            f"(rows of queue {queue!r} start every {step} minutes from 00:00 UTC)"
        )


def _closed_dates(special_days: Sequence[SpecialDay], queue: str) -> set[object]:
    return {day.date for day in special_days if day.factor == 0 and day.queue in (queue, "*")}


def _to_plan_grid(
    queue: str, first: int, step: int, contacts: np.ndarray, workload: np.ndarray, interval_minutes: int
) -> pd.DataFrame:
    """Add native intervals up into plan intervals; a plan interval is unknown unless all its parts are known."""
    plan_ns = interval_minutes * MINUTE_NS
    starts = first + np.arange(contacts.size, dtype=np.int64) * step * MINUTE_NS
    bucket_start = starts - starts % plan_ns
    if step == interval_minutes:
        totals, work, buckets = contacts, workload, bucket_start
    else:
        buckets, index = np.unique(bucket_start, return_inverse=True)
        parts = np.bincount(index, minlength=buckets.size)
        unknown = np.bincount(index, weights=np.isnan(contacts).astype(float), minlength=buckets.size)
        totals = np.bincount(index, weights=np.nan_to_num(contacts), minlength=buckets.size)
        work = np.bincount(index, weights=workload, minlength=buckets.size)
        # A plan interval cut by the span's ends, or holding a lost part, is unknown, not smaller.
        totals[(unknown > 0) | (parts < interval_minutes // step)] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        aht = np.where(totals > 0, work / np.where(totals > 0, totals, 1.0), np.nan)
    return pd.DataFrame(
        {
            "queue": queue,
            "interval_start": pd.DatetimeIndex(np.asarray(buckets, dtype=np.int64).view("datetime64[ns]")).tz_localize("UTC"),
            "contacts": totals,
            "aht_seconds": aht,
        }
    )
