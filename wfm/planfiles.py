"""The plan folder's vocabulary: its columns and activity names, its readers, and the shift.

Everything the planning side (pipeline, exports, report, CLI) says about the files of a plan
folder (FORMATS.md, "Outputs") is defined here once and imported:

- the column lists of forecast.csv, requirements.csv, roster.csv and coverage.csv, and the two
  off-queue activities `break` and `lunch`;
- `parse_utc`, the one parser of UTC instants in those files, and one reader per file
  (`read_forecast`, `read_roster`, `read_coverage`; summary.json is read by
  `wfm.summary.read_summary`); `read_plan_roster`, `plan_roster_shifts` and `plan_agents_known`
  read the roster.csv of a plan folder given as an input (last week's plan, the published one),
  split it into shifts and match its agents to agents.csv, each error saying which input is at
  fault;
- `describe_model_error`, one line for the first problem pydantic found in a file's content;
- `Shift`, a maximal run of one agent's back-to-back roster rows, with its paid hours, its
  queue blocks and queue switches, and its night test against the profile's `[nights]` window;
  `roster_shifts` splits a roster frame into shifts.

`wfm.check` keeps its own copies on purpose: the referee shares no code with the player.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from wfm.errors import InputError
from wfm.rules import Nights
from wfm.workspace import read_csv_strings

__all__ = [
    "BREAK",
    "COVERAGE_COLUMNS",
    "FORECAST_COLUMNS",
    "LUNCH",
    "OFF_QUEUE",
    "REQUIREMENTS_COLUMNS",
    "ROSTER_COLUMNS",
    "Activity",
    "QueueBlock",
    "Shift",
    "describe_model_error",
    "local_instant",
    "parse_utc",
    "plan_agents_known",
    "plan_roster_shifts",
    "read_coverage",
    "read_forecast",
    "read_plan_roster",
    "read_roster",
    "roster_shifts",
]

BREAK = "break"
LUNCH = "lunch"
OFF_QUEUE = frozenset({BREAK, LUNCH})

FORECAST_COLUMNS = ("queue", "interval_start", "contacts", "aht_seconds")
REQUIREMENTS_COLUMNS = (*FORECAST_COLUMNS, "agents")
ROSTER_COLUMNS = ("agent_id", "activity", "start", "end", "start_local", "end_local")
COVERAGE_COLUMNS = ("queue", "interval_start", "required", "scheduled", "service_level", "asa_seconds")
SHIFT_COLUMNS = ROSTER_COLUMNS[:4]
"""What a roster frame needs for its shifts to be found (the local columns are for people)."""

_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")


# ----------------------------------------------------------------------------- reading the files


def parse_utc(values: pd.Series, source: str, column: str) -> pd.Series:
    """ISO-8601 texts with `Z` or an offset (or tz-aware timestamps) → UTC timestamps.

    The first cell that is not such an instant is an InputError naming `source`, its row (the
    header is row 1) and `column`.
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert(UTC).astype("datetime64[ns, UTC]")
    text = values.astype(str)
    parsed = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    bad = (~text.str.contains(_OFFSET) | parsed.isna()).to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{source} row {row + 2}, column {column}: expected an ISO-8601 UTC time such as "
            f"2026-11-30T09:00:00Z, got {text.iloc[row]!r}"
        )
    return parsed.astype("datetime64[ns, UTC]")


def read_forecast(path: Path) -> pd.DataFrame:
    """forecast.csv (or the first columns of requirements.csv) → queue, interval_start (UTC),
    contacts, aht_seconds; an InputError names the row and column of the first bad cell."""
    path = Path(path)
    frame = _read(path, FORECAST_COLUMNS, "write one with `wfm forecast` or `wfm plan`")
    frame["interval_start"] = parse_utc(frame["interval_start"], path.name, "interval_start")
    for column in ("contacts", "aht_seconds"):
        frame[column] = _numbers(frame[column], path.name, column)
    return frame[list(FORECAST_COLUMNS)].reset_index(drop=True)


def read_roster(path: Path) -> pd.DataFrame:
    """roster.csv → agent_id, activity, start, end (UTC), start_local, end_local (text)."""
    path = Path(path)
    frame = _read(path, ROSTER_COLUMNS, "write one with `wfm schedule` or `wfm plan`")
    for column in ("start", "end"):
        frame[column] = parse_utc(frame[column], path.name, column)
    return frame[list(ROSTER_COLUMNS)].reset_index(drop=True)


def read_coverage(path: Path) -> pd.DataFrame:
    """coverage.csv → its columns, interval_start in UTC and the figures as numbers."""
    path = Path(path)
    frame = _read(path, COVERAGE_COLUMNS, "write one with `wfm schedule` or `wfm plan`")
    frame["interval_start"] = parse_utc(frame["interval_start"], path.name, "interval_start")
    for column in COVERAGE_COLUMNS[2:]:
        frame[column] = _numbers(frame[column], path.name, column)
    return frame[list(COVERAGE_COLUMNS)].reset_index(drop=True)


def read_plan_roster(plan_dir: Path, given_as: str, folder_hint: str, *, name_folder: bool = True) -> pd.DataFrame:
    """The roster.csv of a plan folder given as an input, `given_as` ("previous", "published"):
    `read_roster`'s frame. A missing folder (with `folder_hint`, what to give instead) or file, a
    missing column or a bad time is an InputError that begins with the input it came from:
    `published last/roster.csv row 2, column end: ...`, or with `name_folder=False` the file
    alone, `previous roster.csv row 2, ...` (as errors in last week's plan have always read)."""
    plan_dir = Path(plan_dir)
    if not plan_dir.is_dir():
        raise InputError(f"{plan_dir}: no such plan folder ({given_as}: {folder_hint})")
    path = plan_dir / "roster.csv"
    if not path.is_file():
        raise InputError(f"{path}: missing ({given_as}: the folder holds no roster.csv; is it a plan folder?)")
    try:
        return read_roster(path)
    except InputError as exc:
        raise InputError(f"{given_as} {plan_dir.name}/{exc}" if name_folder else f"{given_as} {exc}") from None


def _read(path: Path, columns: Sequence[str], hint: str) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{path}: missing ({hint})")
    frame = read_csv_strings(path)
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InputError(f"{path.name} header: required column {missing[0]!r} is missing (columns: {', '.join(columns)})")
    return frame


def _numbers(text: pd.Series, source: str, column: str) -> pd.Series:
    """Number cells; an empty cell is NaN (e.g. no service level where nobody calls)."""
    numbers = pd.to_numeric(text.where(text != "", "nan"), errors="coerce")
    bad = (numbers.isna() & (text != "")).to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(f"{source} row {row + 2}, column {column}: expected a number, got {text.iloc[row]!r}")
    return numbers.astype(float)


def describe_model_error(exc: ValidationError, source: str) -> str:
    """One line for the first problem pydantic found in `source`: where, what, the value."""
    first = exc.errors()[0]
    path = ".".join(str(part) for part in first["loc"])
    where = f"{source}: {path}" if path else source
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}, got {first.get('input')!r}"


# ----------------------------------------------------------------------------- local clocks


def local_instant(zone: tzinfo, day: date, minutes: float) -> datetime:
    """The UTC instant at which the clock of `zone` shows `day` 00:00 + `minutes` (may pass 1440).

    A wall time the clock shows twice (DST fall-back) gives its first reading; one it skips
    (spring-forward) gives the instant the clock jumps past it.
    """
    naive = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minutes)
    earlier = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    later = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if earlier <= later:
        return earlier
    # Skipped: fold=1 reads it with the offset after the jump, fold=0 with the one before, and
    # the jump lies between them on a whole second; halve the span until it is found.
    low, high = int(later.timestamp()), int(earlier.timestamp())
    before = later.astimezone(zone).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


# ----------------------------------------------------------------------------- shifts


@dataclass(frozen=True)
class Activity:
    """One roster row: a queue name, `break` or `lunch`, over [start, end) in UTC."""

    activity: str
    start: datetime
    end: datetime

    @property
    def minutes(self) -> float:
        return (self.end - self.start) / timedelta(minutes=1)


@dataclass(frozen=True)
class QueueBlock:
    """A maximal run of one agent's time on one queue within a shift (issue #19).

    A break or lunch inside the run does not end it: the block resumes on the same queue after
    it, and `pauses` holds those off-queue rows. `start`/`end` run from the block's first to its
    last minute on the queue; `on_queue_minutes` leaves the pauses out.
    """

    queue: str
    start: datetime
    end: datetime
    on_queue_minutes: float
    pauses: tuple[Activity, ...] = ()


@dataclass(frozen=True)
class Shift:
    """A maximal run of one agent's back-to-back roster rows, in UTC (FORMATS.md).

    A written shift, as the exports, the report and the week after see it: its activities with
    their instants, so its queue blocks, switches, paid hours and night test come from the rows.
    The shifts the solver chooses among, before rows exist, are `wfm.roster.candidates.Shift`
    (minutes from the week start, a local day and a start band).
    """

    agent_id: str
    activities: tuple[Activity, ...]

    @property
    def start(self) -> datetime:
        return self.activities[0].start

    @property
    def end(self) -> datetime:
        return self.activities[-1].end

    @property
    def queues(self) -> tuple[str, ...]:
        """Queues worked, in the order the shift first reaches them."""
        seen: dict[str, None] = {}
        for row in self.activities:
            if row.activity not in OFF_QUEUE:
                seen.setdefault(row.activity)
        return tuple(seen)

    @property
    def blocks(self) -> tuple[Activity, ...]:
        """Adjacent rows of one activity merged (a roster may cut them per interval)."""
        blocks: list[Activity] = []
        for row in self.activities:
            if blocks and blocks[-1].activity == row.activity and blocks[-1].end == row.start:
                blocks[-1] = Activity(row.activity, blocks[-1].start, row.end)
            else:
                blocks.append(row)
        return tuple(blocks)

    @property
    def queue_blocks(self) -> tuple[QueueBlock, ...]:
        """The shift's queue blocks in order; breaks and lunch between two blocks of different
        queues belong to neither."""
        found: list[QueueBlock] = []
        pending: list[Activity] = []  # off-queue rows since the last queue row
        for row in self.activities:
            if row.activity in OFF_QUEUE:
                pending.append(row)
                continue
            last = found[-1] if found else None
            if last is not None and last.queue == row.activity:
                found[-1] = QueueBlock(
                    last.queue, last.start, row.end, last.on_queue_minutes + row.minutes, last.pauses + tuple(pending)
                )
            else:
                found.append(QueueBlock(row.activity, row.start, row.end, row.minutes))
            pending = []
        return tuple(found)

    @property
    def switches(self) -> int:
        """Queue changes within the shift: queue blocks minus one (none without a queue)."""
        return max(0, len(self.queue_blocks) - 1)

    @property
    def paid_hours(self) -> float:
        """Shift length minus lunch (breaks are paid), FORMATS.md."""
        lunch = sum((a.end - a.start for a in self.activities if a.activity == LUNCH), timedelta())
        return (self.end - self.start - lunch) / timedelta(hours=1)

    def local_start_date(self, zone: tzinfo) -> date:
        """The agent's "day" for this shift: the local date on which it starts."""
        return self.start.astimezone(zone).date()

    def is_night(self, zone: tzinfo, nights: Nights) -> bool:
        """True when the shift overlaps the profile's local night window (`[nights] window_*`,
        default 00:00–06:00) of some date for a positive time. A window whose end is not after
        its start, such as 22:00–06:00, closes the next morning."""
        opens = round(nights.window_start_hour * 60)
        closes = round(nights.window_end_hour * 60)
        if closes <= opens:
            closes += 24 * 60
        # The night that began on the date before the shift's start may still be open.
        day = self.start.astimezone(zone).date() - timedelta(days=1)
        last = self.end.astimezone(zone).date()
        while day <= last:
            if max(self.start, local_instant(zone, day, opens)) < min(self.end, local_instant(zone, day, closes)):
                return True
            day += timedelta(days=1)
        return False

    def is_weekend(self, zone: tzinfo) -> bool:
        """True when the shift's local start date is a Saturday or Sunday."""
        return self.local_start_date(zone).weekday() >= 5


def roster_shifts(roster: pd.DataFrame) -> dict[str, list[Shift]]:
    """Split a roster frame (FORMATS.md columns) into each agent's shifts, sorted by start.

    `start` and `end` may be tz-aware Timestamps or ISO strings with offset or `Z`. A row that
    does not end after it starts, or overlaps the row before it, is an InputError.
    """
    missing = [c for c in SHIFT_COLUMNS if c not in roster.columns]
    if missing:
        raise InputError(
            f"roster: missing column(s) {', '.join(missing)}, got {list(map(str, roster.columns))} (see FORMATS.md, roster.csv)"
        )
    if roster.empty:
        return {}
    frame = pd.DataFrame(
        {
            "agent_id": roster["agent_id"].astype(str),
            "activity": roster["activity"].astype(str),
            "start": parse_utc(roster["start"], "roster", "start"),
            "end": parse_utc(roster["end"], "roster", "end"),
        }
    ).sort_values(["agent_id", "start"], kind="stable")

    shifts: dict[str, list[Shift]] = {}
    run: list[Activity] = []
    run_agent: str | None = None
    for agent_id, activity, start, end in zip(frame["agent_id"], frame["activity"], frame["start"], frame["end"], strict=True):
        row = Activity(activity, _py_utc(start), _py_utc(end))
        if row.end <= row.start:
            raise InputError(
                f"roster: agent {agent_id!r}, row starting {row.start:%Y-%m-%dT%H:%MZ}: "
                f"end must be after start, got end {row.end:%Y-%m-%dT%H:%MZ}"
            )
        if run and agent_id == run_agent:
            previous = run[-1]
            if row.start < previous.end:
                raise InputError(
                    f"roster: agent {agent_id!r}, row starting {row.start:%Y-%m-%dT%H:%MZ}: overlaps "
                    f"the row {previous.start:%H:%M}–{previous.end:%H:%MZ} (rows of one agent must not overlap)"
                )
            if row.start == previous.end:
                run.append(row)
                continue
        if run and run_agent is not None:
            shifts.setdefault(run_agent, []).append(Shift(run_agent, tuple(run)))
        run, run_agent = [row], agent_id
    if run and run_agent is not None:
        shifts.setdefault(run_agent, []).append(Shift(run_agent, tuple(run)))
    return shifts


def plan_roster_shifts(roster: pd.DataFrame, plan_dir: Path, given_as: str) -> dict[str, list[Shift]]:
    """`roster_shifts` of a plan folder's roster read by `read_plan_roster`; a row that does not
    end after it starts or overlaps another names the input: `previous last/roster.csv: agent ...`."""
    try:
        return roster_shifts(roster)
    except InputError as exc:
        raise InputError(f"{given_as} {Path(plan_dir).name}/roster.csv: {str(exc).removeprefix('roster: ')}") from None


def plan_agents_known(agent_ids: Iterable[str], known: Set[str], plan_dir: Path) -> None:
    """Some agent of a plan folder's roster (`agent_ids`, none: nothing to match) is in
    agents.csv (`known`), else an InputError: the folder is likely another workspace's plan."""
    ids = sorted(set(agent_ids))
    if ids and not set(ids) & known:
        raise InputError(
            f"{Path(plan_dir).name}/roster.csv column agent_id: no agent in common with agents.csv (got {', '.join(ids[:3])},"
            " ...; is it a plan of another workspace?)"
        )


def _py_utc(stamp: pd.Timestamp) -> datetime:
    return stamp.to_pydatetime().astimezone(UTC)
