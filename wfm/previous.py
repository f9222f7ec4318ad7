"""Last week's plan (`--previous PLAN_DIR`, `[plan] previous`): the rules across the boundary and
the spill-over of its shifts, built around the roster solver rather than inside it.

- `read_previous` reads and checks the folder's roster.csv against this workspace and plan
  week; agents who have left agents.csv are dropped with a note.
- `boundary_dates` turns the two rules that span weeks into local dates the agent cannot
  start a shift on, given to the roster as unavailability (conservative, whole dates):
  `min_rest`: every local date on which some shift the agent could work would start before
  the last previous shift's end + the rest; `max_consecutive_days`: when the agent worked the
  last k local dates of the previous week in a row, day (max − k) of this week (0-based) is
  kept free, so no run crosses the boundary longer than the maximum.
- `spill_rows` are last week's roster rows clipped to this week (minutes after Monday 00:00
  UTC): they staff this week's intervals (coverage.csv, the requirements the roster is given)
  but are never written into this week's roster.csv, and their paid time stays last week's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wfm.errors import InputError
from wfm.planfiles import OFF_QUEUE, plan_agents_known, plan_roster_shifts, read_plan_roster, roster_shifts
from wfm.requests import shift_reach
from wfm.timegrid import local_days, week_bounds
from wfm.workspace import Workspace

__all__ = ["PreviousWeek", "boundary_dates", "previous_dir", "read_previous", "spill_rows"]


@dataclass(frozen=True)
class PreviousWeek:
    """Last week's roster rows of the agents still in agents.csv, and who was dropped."""

    plan_dir: Path
    roster: pd.DataFrame  # roster.csv columns, start/end UTC
    skipped_agents: tuple[str, ...] = ()

    @property
    def notes(self) -> list[str]:
        if not self.skipped_agents:
            return []
        names = ", ".join(self.skipped_agents)
        return [f"previous week: skipped {len(self.skipped_agents)} agent(s) no longer in agents.csv ({names})"]


def previous_dir(ws: Workspace, given: Path | None) -> Path | None:
    """The previous plan folder: `--previous` when given, else `[plan] previous` relative to the workspace."""
    if given is not None:
        return Path(given)
    if ws.plan.previous is None:
        return None
    return ws.root / ws.plan.previous


def read_previous(plan_dir: Path, ws: Workspace, week: dt.date) -> PreviousWeek:
    """Read `plan_dir/roster.csv` as the plan of the week before `week`. A missing folder or file,
    a broken roster, no agent in common with agents.csv, or a roster of another week is an
    InputError naming the file (and row and column where one is to blame)."""
    plan_dir = Path(plan_dir)
    roster = read_plan_roster(plan_dir, "previous", "give the folder `wfm plan` wrote for last week", name_folder=False)
    source = f"{plan_dir.name}/roster.csv"
    bad = (roster["end"] <= roster["start"]).to_numpy()
    if bad.any():
        row = int(bad.nonzero()[0][0]) + 2
        raise InputError(
            f"{source} row {row}, column end: expected a time after start, got {roster['end'].iloc[row - 2]:%Y-%m-%dT%H:%MZ}"
        )
    known = {agent.agent_id for agent in ws.agents}
    ids = roster["agent_id"].astype(str)
    plan_agents_known(ids, known, plan_dir)
    _check_week(roster, ws, week, source)
    skipped = tuple(sorted(set(ids) - known))
    kept = roster[ids.isin(known)].reset_index(drop=True)
    plan_roster_shifts(kept, plan_dir, "previous")
    return PreviousWeek(plan_dir, kept, skipped)


def _check_week(roster: pd.DataFrame, ws: Workspace, week: dt.date, source: str) -> None:
    """Every shift starts before this Monday 00:00 UTC (rows of a shift that began before may
    run past it) and every row ends by it + the longest shift; the last shift starts within the
    week before."""
    if roster.empty:
        return
    first, _ = week_bounds(week)
    start = pd.Timestamp(first)
    latest_end = start + pd.Timedelta(hours=max(ws.rules.shifts.lengths_hours))
    hint = f"is it the plan of the week before {week}?"
    late = roster["end"] > latest_end
    if late.any():
        row = int(late.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{source} row {row + 2}, column end: expected a time by {latest_end:%Y-%m-%dT%H:%MZ} (this week's start + the"
            f" longest shift), got {roster['end'].iloc[row]:%Y-%m-%dT%H:%MZ} ({hint})"
        )
    # A row starting at or after Monday opens a shift of this week unless it continues one.
    ordered = roster.sort_values(["agent_id", "start"], kind="stable")
    continues = (ordered["agent_id"] == ordered["agent_id"].shift()) & (ordered["start"] == ordered["end"].shift())
    opens = (ordered["start"] >= start) & ~continues
    if opens.any():
        index = ordered.index[opens.to_numpy()][0]
        raise InputError(
            f"{source} row {int(index) + 2}, column start: expected every shift to start before this plan week's start"
            f" {first:%Y-%m-%dT%H:%MZ}, got {roster['start'].loc[index]:%Y-%m-%dT%H:%MZ} ({hint})"
        )
    if roster["start"].max() < start - pd.Timedelta(days=7):
        raise InputError(
            f"{source} column start: expected shifts in the week before {week}, the last starts "
            f"{roster['start'].max():%Y-%m-%dT%H:%MZ} ({hint})"
        )


def boundary_dates(previous: PreviousWeek, ws: Workspace, week: dt.date) -> dict[str, set[dt.date]]:
    """Per agent, this week's local dates to keep free so that `min_rest` and
    `max_consecutive_days` hold across the boundary (see the module docstring). A soft
    `max_consecutive_days` is left to the checker's soft line, not made hard here."""
    shifts = roster_shifts(previous.roster)
    rest = dt.timedelta(hours=ws.rules.hours.min_rest_between_shifts)
    cap = ws.rules.hours.max_consecutive_days
    runs_hard = not ws.rules.is_soft("max_consecutive_days")
    out: dict[str, set[dt.date]] = {}
    for agent in ws.agents:
        mine = shifts.get(agent.agent_id)
        if not mine:
            continue
        days = local_days(agent.timezone, week)
        blocked: set[dt.date] = set()
        limit = max(shift.end for shift in mine) + rest
        for day in days:
            earliest, _ = shift_reach(agent, ws.rules, day)
            if earliest < limit:
                blocked.add(day)
        if runs_hard:
            worked = {shift.local_start_date(agent.zone) for shift in mine}
            run = 0
            while days[0] - dt.timedelta(days=run + 1) in worked:
                run += 1
            if run:
                blocked.add(days[min(max(cap - run, 0), 6)])
        if blocked:
            out[agent.agent_id] = blocked
    return out


def spill_rows(previous: PreviousWeek, week: dt.date) -> pd.DataFrame:
    """Last week's on-queue rows clipped to [this Monday 00:00 UTC, next Monday): the minutes
    they staff in this week."""
    first, stop = (pd.Timestamp(instant) for instant in week_bounds(week))
    rows = previous.roster
    rows = rows[(rows["end"] > first) & ~rows["activity"].isin(OFF_QUEUE)].copy()
    rows["start"] = rows["start"].where(rows["start"] > first, first)
    rows["end"] = rows["end"].where(rows["end"] < stop, stop)
    return rows.reset_index(drop=True)
