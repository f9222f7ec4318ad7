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
  *gap*: the queue usually reports that time, so the row was lost or never written. An export
  that writes no row with zero contacts anywhere leaves its quiet intervals out, so there a gap
  is read as no contacts, with a note. In an export that does write zero rows, gaps stop the
  forecast with an error until the planner says how to read them: `fill_gaps="zero"` (no
  contacts then) or `fill_gaps="skip"` (the data is lost: unknown, kept out of learning and
  of accuracy scores). Nothing is repaired silently;
- DST changes of the queue's clock. An export written in local time loses an hour in spring and
  has one twice in autumn, so in UTC its rows may miss up to an hour next to a change, or hold
  two rows for one start there. Both are expected, not errors: two rows for one start inside
  that window are the two passes of the repeated local hour (the second moves to the hour
  the first left empty) or, where that hour is taken, one interval counted twice over (added
  up); intervals still missing inside it are unknown. `regular_history` says so in one note
  per queue.

Row numbers: the history frame's index is the 0-based data row of history.csv, as
`read_history` returns it, so a message names file row `index + 2` (the header is row 1).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from wfm.errors import InputError, Note
from wfm.timegrid import MINUTE_NS
from wfm.workspace import WEEKDAYS, QueueConfig, SpecialDay

FillGaps = Literal["zero", "skip"]
FILL_GAPS: tuple[str, ...] = ("zero", "skip")
DAY_MINUTES = 24 * 60
HISTORY_FRAME_COLUMNS = ("queue", "interval_start", "contacts", "aht_seconds")


def check_fill_gaps(value: str | None) -> FillGaps | None:
    """Validate a `fill_gaps` value."""
    if value is None:
        return None
    if value not in FILL_GAPS:
        raise InputError(f"{{fill_gaps}}: expected one of {', '.join(FILL_GAPS)}, got {value!r}", fill_gaps="fill_gaps")
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


@dataclass(frozen=True)
class RegularHistory:
    """`prepare_history`'s frame and the notes a planner should read (one line each)."""

    frame: pd.DataFrame
    notes: tuple[str, ...] = ()


def prepare_history(
    history: pd.DataFrame,
    queues: Sequence[QueueConfig],
    interval_minutes: int,
    *,
    special_days: Sequence[SpecialDay] = (),
    fill_gaps: FillGaps | None = None,
    source: str = "history.csv",
) -> pd.DataFrame:
    """`regular_history`'s frame (see there)."""
    return regular_history(
        history, queues, interval_minutes, special_days=special_days, fill_gaps=fill_gaps, source=source
    ).frame


def regular_history(
    history: pd.DataFrame,
    queues: Sequence[QueueConfig],
    interval_minutes: int,
    *,
    special_days: Sequence[SpecialDay] = (),
    fill_gaps: FillGaps | None = None,
    source: str = "history.csv",
) -> RegularHistory:
    """Check `history` as a series and return it regular on the plan's grid.

    Returns the columns queue, interval_start (UTC), contacts, aht_seconds with, for each queue
    that has rows, every plan interval from its first to its last exactly once. contacts is NaN
    where unknown (a gap read with `fill_gaps="skip"`), 0 where closed; aht_seconds is the
    contact-weighted mean, NaN where there were no contacts. Raises InputError naming the
    file, row and column of the first problem. The notes say what was read at DST changes.
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
    windows = {queue.name: _dst_windows(frame[frame["queue"] == queue.name], queue.timezone) for queue in queues}
    _check_duplicates(frame, source, windows)
    parts = []
    notes = []
    for queue in queues:
        rows = frame[frame["queue"] == queue.name]
        if rows.empty:
            continue
        part, queue_notes = _regular_queue(rows, queue, interval_minutes, special_days, fill_gaps, source, windows[queue.name])
        parts.append(part)
        notes += queue_notes
    if not parts:
        empty = pd.DataFrame(
            {
                "queue": pd.Series(dtype=object),
                "interval_start": pd.Series(dtype="datetime64[ns, UTC]"),
                "contacts": pd.Series(dtype=float),
                "aht_seconds": pd.Series(dtype=float),
            }
        )
        return RegularHistory(empty)
    return RegularHistory(pd.concat(parts, ignore_index=True), tuple(notes))


def _row(label: object) -> int:
    return int(label) + 2  # type: ignore[call-overload]


@dataclass(frozen=True)
class DstChange:
    """A change of a queue's UTC offset: at `at_ns` the clock moves by `shift_ns` (> 0: spring forward).

    A local-clock export's quirks fall within |shift| either side of the change.
    """

    at_ns: int
    shift_ns: int
    local_date: object

    @property
    def fall_back(self) -> bool:
        return self.shift_ns < 0

    def holds(self, starts_ns: np.ndarray) -> np.ndarray:
        width = abs(self.shift_ns)
        return (starts_ns >= self.at_ns - width) & (starts_ns < self.at_ns + width)


def _dst_windows(rows: pd.DataFrame, timezone: str) -> tuple[DstChange, ...]:
    """The DST changes of `timezone` within the span of `rows` (one day beyond either end)."""
    if rows.empty:
        return ()
    starts = to_ns(rows["interval_start"])
    quarter = 15 * MINUTE_NS
    first = (int(starts.min()) // quarter - 96) * quarter
    last = int(starts.max()) + 96 * quarter
    probe = np.arange(first, last + quarter, quarter, dtype=np.int64)
    local = pd.DatetimeIndex(probe.view("datetime64[ns]")).tz_localize("UTC").tz_convert(zoneinfo.ZoneInfo(timezone))
    wall = np.asarray(local.tz_localize(None).as_unit("ns").asi8, dtype=np.int64)
    offset = wall - probe
    moved = np.flatnonzero(np.diff(offset)) + 1
    return tuple(DstChange(int(probe[i]), int(offset[i] - offset[i - 1]), local[int(i)].date()) for i in moved)


def _in_windows(starts_ns: np.ndarray, windows: Sequence[DstChange]) -> np.ndarray:
    inside = np.zeros(starts_ns.size, dtype=bool)
    for change in windows:
        inside |= change.holds(starts_ns)
    return inside


def _check_duplicates(frame: pd.DataFrame, source: str, windows: dict[str, tuple[DstChange, ...]]) -> None:
    duplicated = np.array(frame.duplicated(["queue", "interval_start"], keep="first").to_numpy(), dtype=bool)
    if duplicated.any():
        starts = to_ns(frame["interval_start"])
        queues = frame["queue"].to_numpy()
        for name, changes in windows.items():
            if changes:
                mine = duplicated & (queues == name)
                duplicated[mine] = ~_in_windows(starts[mine], changes)
    if not duplicated.any():
        return
    label = frame.index[int(np.argmax(duplicated))]
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
    changes: Sequence[DstChange] = (),
) -> tuple[pd.DataFrame, list[str]]:
    """One queue's rows → every plan interval of its span, with gaps and closed hours resolved,
    and its notes: a DST change of the queue's clock explained doubled rows or gaps; gaps of an
    export without zero rows were read as no contacts."""
    rows = rows.sort_values("interval_start", kind="stable")
    starts = to_ns(rows["interval_start"])
    step = _native_step(starts, interval_minutes)
    _check_grid(rows, starts, step, queue.name, interval_minutes, source)

    step_ns = step * MINUTE_NS
    first = int(starts[0])
    contacts_in = rows["contacts"].to_numpy(dtype=float)
    work_in = np.where(contacts_in > 0, contacts_in * np.nan_to_num(rows["aht_seconds"].to_numpy(dtype=float)), 0.0)
    doubled = [change for change in changes if np.unique(starts[change.holds(starts)]).size < change.holds(starts).sum()]
    starts, moved, added = _undouble(starts, changes, step_ns)
    position = (starts - first) // step_ns
    count = int(position.max()) + 1
    contacts = np.full(count, np.nan)
    workload = np.zeros(count)
    known = np.bincount(position, minlength=count) > 0
    contacts[known] = np.bincount(position, weights=contacts_in, minlength=count)[known]
    workload[:] = np.bincount(position, weights=work_in, minlength=count)

    dst_gaps = omitted = 0
    lost: list[DstChange] = []
    missing = np.flatnonzero(np.isnan(contacts))
    if missing.size:
        grid = first + np.arange(count, dtype=np.int64) * step_ns
        zone = zoneinfo.ZoneInfo(queue.timezone)
        local = pd.DatetimeIndex(grid.view("datetime64[ns]")).tz_localize("UTC").tz_convert(zone)
        key = np.asarray(local.day_of_week * DAY_MINUTES + local.hour * 60 + local.minute, dtype=np.int64)
        open_keys = np.unique(key[known])
        closed_dates = _closed_dates(special_days, queue.name)
        gap = np.isin(key[missing], open_keys)
        if closed_dates:
            dates = local[missing].date
            gap &= ~np.fromiter((date in closed_dates for date in dates), dtype=bool, count=missing.size)
        expected = gap & _in_windows(grid[missing], changes)
        dst_gaps = int(expected.sum())
        lost = [change for change in changes if (gap & change.holds(grid[missing])).any()]
        gaps = missing[gap & ~expected]
        if gaps.size and fill_gaps is None and not (contacts_in == 0).any():
            # An export that writes no row with zero contacts leaves its quiet intervals out:
            # a missing row there is no contacts, not lost data.
            fill_gaps = "zero"
            omitted = int(gaps.size)
        if gaps.size and fill_gaps is None:
            at = int(gaps[0])
            when = local[at]
            raise InputError(
                f"{source}, queue {queue.name!r}: no row for {utc_text(int(grid[at]))} "
                f"({WEEKDAYS[when.day_of_week]} {when.strftime('%H:%M')} in {queue.timezone}), a time the queue "
                f"reports in other weeks; {gaps.size} such interval{'s' if gaps.size > 1 else ''} missing in all "
                "(pass {fill_gaps=zero} if there were no contacts, or {fill_gaps=skip} if the data was lost)",
                fill_gaps="fill_gaps",
            )
        contacts[missing] = 0.0
        contacts[missing[expected]] = np.nan  # the export's lost hour: unknown, not zero
        if gaps.size and fill_gaps == "skip":
            contacts[gaps] = np.nan
    note = _dst_note(source, queue, [*doubled, *lost], moved, added, dst_gaps, step)
    notes = [note] if note else []
    if omitted:
        notes.append(
            Note(
                f"{source}, queue {queue.name!r}: {omitted} interval{'s' if omitted > 1 else ''} with no row, at times"
                " the queue reports in other weeks, read as no contacts (the export writes no row with zero contacts;"
                " pass {fill_gaps=skip} if the data was lost)",
                fill_gaps="fill_gaps",
            )
        )
    return _to_plan_grid(queue.name, first, step, contacts, workload, interval_minutes), notes


def _undouble(starts: np.ndarray, changes: Sequence[DstChange], step_ns: int) -> tuple[np.ndarray, int, int]:
    """Starts with a DST change's doubled rows resolved as a local-clock export means them.

    At a fall-back change a local hour happens twice; an export that writes it twice under one
    UTC start holds both passes, so of two rows for one start the second goes to the same local
    time of the second pass (or the first to the first pass), when that interval has no row of
    its own. Rows still sharing a start are added up (one interval counted in two rows).
    Returns (starts, rows moved, rows added to another).
    """
    if not changes:
        return starts, 0, 0
    starts = starts.copy()
    moved = 0
    taken = set(starts.tolist())
    for change in changes:
        if not change.fall_back:
            continue
        width = abs(change.shift_ns)
        inside = np.flatnonzero(change.holds(starts))
        values, counts = np.unique(starts[inside], return_counts=True)
        for value in values[counts == 2]:
            pair = inside[starts[inside] == value]
            first_pass = value < change.at_ns
            partner = int(value + width) if first_pass else int(value - width)
            if partner in taken:
                continue
            starts[pair[1] if first_pass else pair[0]] = partner
            taken.add(partner)
            moved += 1
    added = int(starts.size - np.unique(starts).size)
    return starts, moved, added


def _dst_note(
    source: str, queue: QueueConfig, changes: Sequence[DstChange], moved: int, added: int, gaps: int, step: int
) -> str | None:
    if not (moved or added or gaps):
        return None
    parts = []
    if moved:
        parts.append(f"{moved} doubled row{'s' if moved > 1 else ''} read as the repeated hour's second pass")
    if added:
        parts.append(f"{added} doubled row{'s' if added > 1 else ''} added to the row with the same start")
    if gaps:
        parts.append(f"{gaps} missing {step}-minute interval{'s' if gaps > 1 else ''} read as unknown")
    dates = ", ".join(sorted({str(change.local_date) for change in changes}))
    return (
        f"{source}, queue {queue.name!r}: the export's clock follows {queue.timezone}'s DST changes ({dates}): "
        + "; ".join(parts)
    )


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
