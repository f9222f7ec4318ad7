"""The customers' clock: a queue's history as local days × time-of-day slots.

Daily and weekly patterns follow the clock of the queue's customers (`timezone` in wfm.toml),
so they are learned and applied there and only the result is turned back into UTC intervals.
Each UTC interval maps to one cell: its local date (a row) and `local minutes // interval` (a
slot). On a spring-forward day the skipped hour's cells do not exist (92 quarter hours); on a
fall-back day the repeated hour's two UTC intervals share a cell, which holds their mean, and a
forecast gives the cell's value to both (100 quarter hours). So after a DST change the same
local curve lands one hour earlier or later in UTC, and every UTC interval still gets exactly
one value.

A day of zeros inside a busy history (every interval of a whole local day reported as 0 where
that weekday usually has enough contacts that a quiet day could not be empty) is an outage or an
export failure, not demand: like a special day it is kept out of learning and of scoring
(`QueueSeries.zero_days`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from wfm.history import to_ns
from wfm.timegrid import MINUTE_NS
from wfm.workspace import SpecialDay

__all__ = ["DAY_NS", "MINUTE_NS", "WEEK_NS", "DayMatrix", "LocalClock", "QueueSeries", "to_ns", "utc_index"]

DAY_NS = 24 * 60 * MINUTE_NS
WEEK_NS = 7 * DAY_NS
_EPOCH = dt.date(1970, 1, 1)
_NEVER = np.iinfo(np.int64).max


def utc_index(ns: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(np.asarray(ns, dtype=np.int64).view("datetime64[ns]")).tz_localize("UTC")


@dataclass(frozen=True)
class LocalClock:
    """Maps UTC instants to (row, slot) cells of a queue's local clock; row 0 is `first_day`."""

    timezone: str
    interval_minutes: int
    first_day: dt.date

    @property
    def slots_per_day(self) -> int:
        return 24 * 60 // self.interval_minutes

    @property
    def weekday0(self) -> int:
        """Weekday (0 = Monday) of row 0."""
        return self.first_day.weekday()

    def cells(self, starts_ns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and slot of each UTC instant."""
        local = utc_index(starts_ns).tz_convert(zoneinfo.ZoneInfo(self.timezone)).tz_localize(None)
        wall = np.asarray(local.as_unit("ns").asi8, dtype=np.int64)
        rows = wall // DAY_NS - (self.first_day - _EPOCH).days
        slots = (wall % DAY_NS) // (self.interval_minutes * MINUTE_NS)
        return rows.astype(np.int64), slots.astype(np.int64)

    def row_of(self, date: dt.date) -> int:
        return (date - self.first_day).days

    def weekdays(self, rows: np.ndarray) -> np.ndarray:
        return (np.asarray(rows) + self.weekday0) % 7


@dataclass(frozen=True)
class DayMatrix:
    """A queue's history before `origin_ns` as local days × slots, with rows up to `days`.

    `contacts` is the mean per cell (NaN: unknown, masked, not yet happened or not a real local
    time); `workload` and `handled` are Σ contacts × AHT and Σ contacts for handle-time learning.
    `first_ns`/`last_ns` are the earliest and latest UTC start mapping to each cell (so a
    backtest can cut the matrix at an earlier origin); `exists` marks cells that are real local
    times between the queue's first interval and the end of the matrix.
    """

    clock: LocalClock
    origin_ns: int
    start_ns: int
    contacts: np.ndarray
    workload: np.ndarray
    handled: np.ndarray
    exists: np.ndarray
    first_ns: np.ndarray
    last_ns: np.ndarray

    @property
    def days(self) -> int:
        return int(self.contacts.shape[0])

    @property
    def history_days(self) -> int:
        """Rows up to the last one holding any known contacts (the history may end well before the origin)."""
        known = ~np.isnan(self.contacts).all(axis=1)
        return int(np.flatnonzero(known)[-1]) + 1 if known.any() else 0

    def before(self, origin_ns: int) -> DayMatrix:
        """The same queue as if the history stopped at an earlier origin."""
        late = self.last_ns >= origin_ns
        return replace(
            self,
            origin_ns=origin_ns,
            contacts=np.where(late, np.nan, self.contacts),
            workload=np.where(late, 0.0, self.workload),
            handled=np.where(late, 0.0, self.handled),
        )

    def window(self, start_ns: int, end_ns: int) -> np.ndarray:
        """Cells whose UTC start lies in [start_ns, end_ns)."""
        return (self.first_ns >= start_ns) & (self.first_ns < end_ns)


@dataclass(frozen=True)
class QueueSeries:
    """One queue's regular history (from `wfm.history.prepare_history`) with its local cells."""

    name: str
    clock: LocalClock
    starts_ns: np.ndarray
    contacts: np.ndarray
    aht_seconds: np.ndarray
    masked: np.ndarray  # special days and days of zeros: kept out of learning and scoring
    zero_days: tuple[dt.date, ...] = ()

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        name: str,
        timezone: str,
        interval_minutes: int,
        special_days: Sequence[SpecialDay] = (),
    ) -> QueueSeries:
        starts = to_ns(frame["interval_start"])
        order = np.argsort(starts, kind="stable")
        starts = starts[order]
        first_local = utc_index(starts[:1]).tz_convert(zoneinfo.ZoneInfo(timezone))[0].date()
        clock = LocalClock(timezone, interval_minutes, first_local)
        series = cls(
            name=name,
            clock=clock,
            starts_ns=starts,
            contacts=frame["contacts"].to_numpy(dtype=float)[order],
            aht_seconds=frame["aht_seconds"].to_numpy(dtype=float)[order],
            masked=np.zeros(starts.size, dtype=bool),
        )
        dates = {day.date for day in special_days if day.queue in (name, "*")}
        rows, _ = clock.cells(starts)
        masked = np.isin(rows, np.array([clock.row_of(date) for date in dates], dtype=np.int64))
        empty = _zero_day_rows(rows, series.contacts, masked)
        if empty.size:
            masked |= np.isin(rows, empty)
        zero_days = tuple(clock.first_day + dt.timedelta(days=int(row)) for row in empty)
        return replace(series, masked=masked, zero_days=zero_days)

    @property
    def first_ns(self) -> int:
        return int(self.starts_ns[0])

    @property
    def end_ns(self) -> int:
        return int(self.starts_ns[-1]) + self.clock.interval_minutes * MINUTE_NS

    def matrix(self, origin_ns: int, until_ns: int) -> DayMatrix:
        """History before `origin_ns` on rows that reach the local day of `until_ns - 1`."""
        step = self.clock.interval_minutes * MINUTE_NS
        start = self.first_ns
        grid = np.arange(start, max(until_ns, start + step), step, dtype=np.int64)
        rows, slots = self.clock.cells(grid)
        days = int(rows.max()) + 1
        width = self.clock.slots_per_day
        cell = rows * width + slots
        size = days * width

        first = np.full(size, _NEVER, dtype=np.int64)
        np.minimum.at(first, cell, grid)
        last = np.full(size, -1, dtype=np.int64)
        np.maximum.at(last, cell, grid)
        exists = np.zeros(size, dtype=bool)
        exists[cell] = True

        taken = int(np.searchsorted(self.starts_ns, origin_ns, side="left"))
        known = ~np.isnan(self.contacts[:taken]) & ~self.masked[:taken]
        own = ((self.starts_ns[:taken] - start) // step).astype(np.int64)
        history_cell = cell[own]
        counted = np.bincount(history_cell[known], minlength=size).astype(float)
        total = np.bincount(history_cell[known], weights=self.contacts[:taken][known], minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(counted > 0, total / counted, np.nan)
        timed = known & (self.contacts[:taken] > 0) & (self.aht_seconds[:taken] > 0)
        workload = np.bincount(
            history_cell[timed], weights=self.contacts[:taken][timed] * self.aht_seconds[:taken][timed], minlength=size
        )
        handled = np.bincount(history_cell[timed], weights=self.contacts[:taken][timed], minlength=size)
        shape = (days, width)
        return DayMatrix(
            clock=self.clock,
            origin_ns=int(origin_ns),
            start_ns=start,
            contacts=mean.reshape(shape),
            workload=workload.reshape(shape),
            handled=handled.reshape(shape),
            exists=exists.reshape(shape),
            first_ns=first.reshape(shape),
            last_ns=last.reshape(shape),
        )

    def actuals(self, start_ns: int, end_ns: int) -> tuple[np.ndarray, np.ndarray]:
        """UTC starts and contacts in [start, end) that count for accuracy (known, not special days)."""
        lo, hi = np.searchsorted(self.starts_ns, [start_ns, end_ns])
        keep = ~np.isnan(self.contacts[lo:hi]) & ~self.masked[lo:hi]
        return self.starts_ns[lo:hi][keep], self.contacts[lo:hi][keep]


# A weekday whose usual day holds at least this many contacts cannot be empty by chance
# (Poisson: P(0) = e^-10 ≈ 5e-5), so a day of zeros there is lost data.
ZERO_DAY_MIN_CONTACTS = 10.0


def _zero_day_rows(rows: np.ndarray, contacts: np.ndarray, masked: np.ndarray, weeks: int = 4) -> np.ndarray:
    """Local day rows, strictly inside the history, whose every known interval is 0 while the
    median of the same weekday over `weeks` weeks either side is at least ZERO_DAY_MIN_CONTACTS."""
    days = int(rows.max()) + 1 if rows.size else 0
    if days < 3:
        return np.zeros(0, dtype=np.int64)
    use = ~np.isnan(contacts) & ~masked
    totals = np.bincount(rows[use], weights=contacts[use], minlength=days)
    seen = np.bincount(rows[use], minlength=days) > 0
    totals = np.where(seen, totals, np.nan)
    candidates = np.flatnonzero(seen & (totals == 0))
    candidates = candidates[(candidates > 0) & (candidates < days - 1)]
    empty = []
    for row in candidates:
        around = [row + 7 * k for k in range(-weeks, weeks + 1) if k and 0 <= row + 7 * k < days]
        usual = totals[around]
        usual = usual[~np.isnan(usual)]
        if usual.size and float(np.median(usual)) >= ZERO_DAY_MIN_CONTACTS:
            empty.append(int(row))
    return np.asarray(empty, dtype=np.int64)
