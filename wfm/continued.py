"""The roster's inputs once people's leave and last week's plan are in (FORMATS.md 0.2, "Week
after week"), built around the roster solver, not inside it.

`continued_inputs` gives the roster a workspace whose agents cannot start on their leave dates
(`wfm.requests.leave_dates`) nor on the first dates the boundary rules forbid
(`wfm.previous.boundary_dates`), and requirements less last week's spill-over
(`requirements_less_spill`); `Continued.build` runs the roster on them and counts the
spill-over in coverage (`spill_coverage`) against the full requirements; an infeasible roster
also names the dates wfm took.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wfm.errors import InfeasibleError
from wfm.previous import PreviousWeek, boundary_dates, previous_dir, read_previous, spill_rows
from wfm.requests import leave_dates, unavailable_for_roster
from wfm.roster import RosterResult, SolveSettings, build_roster
from wfm.roster.coverage import coverage_frame, scheduled_agents
from wfm.summary import PreviousSummary
from wfm.timegrid import week_start
from wfm.workspace import Workspace

__all__ = ["Continued", "continued_inputs", "requirements_less_spill", "spill_coverage"]

SolverProgress = Callable[[float, float, float], None]  # build_roster's callback: objective, bound, seconds


@dataclass
class Continued:
    """The roster's inputs once leave and last week's plan are in (`continued_inputs`)."""

    week: dt.date
    required: pd.DataFrame  # what the roster would be asked for without last week
    workspace: Workspace  # agents with leave and boundary dates unavailable
    demand: pd.DataFrame  # `required` less last week's spill-over
    leave: dict[str, set[dt.date]]
    boundary: dict[str, set[dt.date]]
    prior: PreviousWeek | None = None
    spill: pd.DataFrame | None = None

    def build(self, settings: SolveSettings, progress: SolverProgress | None, forecast_error: Any) -> RosterResult:
        """`build_roster` on these inputs; coverage with the spill-over against `required`; an
        InfeasibleError also names the dates leave and the boundary took."""
        try:
            result = build_roster(
                self.workspace, self.demand, self.week, settings, progress=progress, forecast_error=forecast_error
            )
        except InfeasibleError as exc:
            raise _named_dates(exc, self.leave, self.boundary) from None
        if self.spill is None or self.spill.empty:
            return result
        return RosterResult(
            result.roster, spill_coverage(self.workspace, result.roster, self.spill, self.required, self.week), result.solver
        )

    def summary(self) -> PreviousSummary | None:
        return _previous_summary(self.prior, self.boundary, self.spill) if self.prior is not None else None


def continued_inputs(ws: Workspace, demand: pd.DataFrame, week: dt.date, previous: Path | None) -> Continued:
    """Leave (`wfm.requests.leave_dates`) and the boundary with last week's plan
    (`wfm.previous.boundary_dates`; `previous`, else `[plan] previous`) as dates the agents are
    unavailable, and the requirements less last week's spill-over (`requirements_less_spill`)."""
    folder = previous_dir(ws, previous)
    prior = read_previous(folder, ws, week) if folder is not None else None
    leave = leave_dates(ws)
    boundary = boundary_dates(prior, ws, week) if prior is not None else {}
    spill = spill_rows(prior, week) if prior is not None else None
    return Continued(
        week=week,
        required=demand,
        workspace=unavailable_for_roster(ws, _merged(leave, boundary)),
        demand=requirements_less_spill(demand, spill, ws, week),
        leave=leave,
        boundary=boundary,
        prior=prior,
        spill=spill,
    )


def _merged(*parts: Mapping[str, set[dt.date]]) -> dict[str, set[dt.date]]:
    out: dict[str, set[dt.date]] = {}
    for part in parts:
        for agent_id, dates in part.items():
            out.setdefault(agent_id, set()).update(dates)
    return out


def _named_dates(
    exc: InfeasibleError, leave: Mapping[str, set[dt.date]], boundary: Mapping[str, set[dt.date]]
) -> InfeasibleError:
    """The roster's infeasibility with the dates wfm took off each agent it names: leave
    (requests.csv) and the week boundary reach the solver as days_unavailable."""
    told = " ".join([str(exc), *exc.reasons])
    extra = []
    for rule, dates_of, why in (
        ("leave", leave, "approved leave in requests.csv (the date, and the day before where a shift could reach into it)"),
        ("min_rest/max_consecutive_days", boundary, "the boundary with last week's plan"),
    ):
        for agent_id, dates in sorted(dates_of.items()):
            if dates and re.search(rf"(?<![\w-]){re.escape(agent_id)}(?![\w-])", told):
                days = ", ".join(day.isoformat() for day in sorted(dates))
                extra.append(f"{rule}: {agent_id} cannot start a shift on {days}: {why}, taken as days_unavailable")
    if not extra:
        return exc
    return InfeasibleError(str(exc), [*exc.reasons, *extra])


def requirements_less_spill(demand: pd.DataFrame, spill: pd.DataFrame | None, ws: Workspace, week: dt.date) -> pd.DataFrame:
    """What the roster is asked to staff once last week's spill-over (`wfm.previous.spill_rows`)
    is on the queues: per queue and interval, `agents` less the whole spill-over agents there
    (never below 0), and `contacts` (with `workload_erlangs`) scaled by what is left of
    `agents`, so the service-aware objective sees the spill-over agents taking their share of
    the interval's contacts. The same frame when there is no spill-over."""
    if spill is None or spill.empty:
        return demand
    out = demand.copy()
    minutes = ws.plan.interval_minutes
    origin = pd.Timestamp(week_start(week))
    for queue in ws.queues:
        mask = (out["queue"] == queue.name).to_numpy()
        if not mask.any():
            continue
        on_queue = np.floor(scheduled_agents(spill, queue.name, week, minutes) + 1e-9)
        offsets = ((out.loc[mask, "interval_start"] - origin) / pd.Timedelta(minutes=minutes)).to_numpy()
        inside = (offsets >= 0) & (offsets < len(on_queue))
        spilled = np.zeros(len(offsets))
        spilled[inside] = on_queue[offsets[inside].astype(int)]
        agents = out.loc[mask, "agents"].to_numpy(dtype=float)
        left = np.maximum(agents - spilled, 0.0)
        share = np.divide(left, agents, out=np.ones_like(agents), where=agents > 0)
        out.loc[mask, "agents"] = left.astype(np.int64)
        for column in ("contacts", "workload_erlangs"):
            if column in out.columns:
                out.loc[mask, column] = out.loc[mask, column].to_numpy(dtype=float) * share
    out["agents"] = out["agents"].astype(np.int64)
    return out


def spill_coverage(
    ws: Workspace, roster: pd.DataFrame, spill: pd.DataFrame, required: pd.DataFrame, week: dt.date
) -> pd.DataFrame:
    """coverage.csv of this week's roster with last week's spill-over on the queues too, against
    the full requirements."""
    rows = pd.concat([roster, spill[list(roster.columns)]], ignore_index=True)
    return coverage_frame(rows, required, ws.queues, week, ws.plan.interval_minutes, occupancy=ws.rules.service.max_occupancy)


def _previous_summary(prior: PreviousWeek, boundary: Mapping[str, set[dt.date]], spill: pd.DataFrame | None) -> PreviousSummary:
    hours = 0.0 if spill is None or spill.empty else float((spill["end"] - spill["start"]).dt.total_seconds().sum() / 3600)
    notes = list(prior.notes)
    if boundary:
        notes.append(f"previous week: {len(boundary)} agents' first days limited by rest or runs")
    return PreviousSummary(
        plan_dir=str(prior.plan_dir.resolve()),
        agents_limited=len(boundary),
        spill_over_hours=round(hours, 2),
        skipped_agents=list(prior.skipped_agents),
        notes=notes,
    )
