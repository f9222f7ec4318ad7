"""The weekly job: forecast → requirements → roster → summary (→ greedy yardstick, simulation),
and writing the plan folder.

`run_plan` chains the stages on a loaded workspace and returns a `PlanResult` (values only, no
files); its summary is a `wfm.summary.PlanSummary`, built here once (`build_summary`) and read by
attribute everywhere after. `write_plan` writes it into a plan folder through one staging folder, so a failed run
leaves the previous plan intact. `wfm requirements`, `wfm schedule`, `wfm plan`, `wfm demo` and
`wfm whatif` all go through here; the stage modules do the work.

Shrinkage (`[plan] shrinkage`, unplanned absence) is applied once, in `wfm.requirements`: the
roster is asked for `agents_with_shrinkage` on-queue agents (see `roster_requirements`), while
requirements.csv keeps both columns.

Week after week (FORMATS.md 0.2) is built here, around the roster solver: approved leave
(`wfm.requests`) and the rules across the boundary with last week's plan (`wfm.previous`)
become dates the roster is told the agent is unavailable; last week's shifts that run past this
Monday 00:00 UTC take their share off the requirements the roster is given
(`wfm.continued`) and are counted in coverage; wishes are priced by the roster solver
(`wfm.roster.wishes`, from the workspace's requests) and judged on the finished roster
(summary.json "requests").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wfm import __version__
from wfm.continued import Continued, continued_inputs, spill_coverage
from wfm.errors import InputError
from wfm.exports import build_report, write_calendars
from wfm.forecast import BAND_COLUMNS, forecast_workspace, week_at
from wfm.outputs import staged_output, write_coverage, write_forecast, write_frame, write_json, write_requirements, write_roster
from wfm.planfiles import FORECAST_COLUMNS, read_forecast, roster_shifts
from wfm.published import CHANGES_COLUMNS, Replanned, read_published, replan
from wfm.requests import judge_requests
from wfm.requirements import apply_shrinkage, compute_requirements
from wfm.roster import RosterResult, SolveSettings, greedy_baseline
from wfm.roster.coverage import coverage_summary
from wfm.rules import RulesProfile
from wfm.simulate import INTERVAL_COLUMNS, simulate_plan
from wfm.summary import (
    AgentSummary,
    BaselineQueue,
    BaselineSummary,
    ChangesSummary,
    PlanSettings,
    PlanSummary,
    PreviousSummary,
    QueueSummary,
    RequestsSummary,
    SolverSummary,
)
from wfm.timegrid import week_bounds
from wfm.workspace import QueueConfig, Workspace

__all__ = [
    "STAGES",
    "PlanResult",
    "agent_summary",
    "break_factor",
    "build_summary",
    "lower_bound_paid_hours",
    "plan_requirements",
    "read_forecast",
    "read_requirements",
    "roster_requirements",
    "run_plan",
    "score_baseline",
    "write_plan",
]

SolverProgress = Callable[[float, float, float], None]  # objective, bound, seconds (build_roster's callback)

STAGES = ("forecast", "requirements", "roster", "baseline", "simulation", "summary")
"""Names `run_plan` passes to its `progress` callback, in order, as each stage starts."""


@dataclass
class PlanResult:
    """One planned week, in memory: what `write_plan` writes and the what-if comparison reads."""

    week: dt.date
    forecast: pd.DataFrame  # forecast.csv columns (after `adjust_forecast`); interval_start UTC
    requirements: pd.DataFrame  # compute_requirements output (requirements.csv)
    roster: RosterResult  # roster (roster.csv), coverage (coverage.csv), solver figures
    plan_summary: PlanSummary  # summary.json, typed
    baseline: BaselineSummary | None = None  # the greedy roster scored the same way (plan_summary.baseline)
    simulation: dict[str, Any] | None = None  # simulation.json content (plan_summary.simulation)
    simulation_intervals: pd.DataFrame | None = None  # simulation.csv rows, when simulated
    changes: pd.DataFrame | None = None  # changes.csv rows, when re-planned from a published plan

    @property
    def summary(self) -> dict[str, Any]:
        """summary.json's content as plain JSON values, for callers that still read raw keys."""
        return self.plan_summary.as_json()


# ----------------------------------------------------------------------------- the weekly job


def run_plan(
    ws: Workspace,
    week: dt.date | None = None,
    *,
    settings: SolveSettings | None = None,
    forecast_model: str | None = None,
    fill_gaps: str | None = None,
    adjust_forecast: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    simulate_runs: int = 0,
    seed: int = 0,
    compare_greedy: bool = True,
    progress: Callable[[str], None] | None = None,
    solver_progress: SolverProgress | None = None,
    forecast: pd.DataFrame | None = None,
    requirements: pd.DataFrame | None = None,
    now: dt.datetime | None = None,
    previous: Path | None = None,
    published: Path | None = None,
) -> PlanResult:
    """Plan one week of `ws`: forecast, requirements, roster, summary; optionally the greedy
    yardstick and a contact-by-contact simulation. Nothing is written (see `write_plan`).

    - `week`: the plan week's Monday; default `ws.plan_week()` (wfm.toml, then the Monday after
      the history), or with a given `forecast`/`requirements` and no week anywhere, the Monday
      of their first interval.
    - Forecast: `wfm.forecast.forecast_workspace(ws, week, model=forecast_model,
      fill_gaps=fill_gaps)`, unless `forecast` (forecast.csv columns, UTC) is given. Then
      `adjust_forecast(frame)` may change it (what-if: volume, deflection, AHT); it must return
      the same columns.
    - Requirements: `compute_requirements(forecast, ws.queues, interval, ws.rules,
      ws.plan.shrinkage)`, unless `requirements` is given (e.g. from `read_requirements`).
      The roster is built for the `agents` column, except that when `ws.plan.shrinkage` > 0
      `agents` is replaced by `agents_with_shrinkage` first (`roster_requirements`), so the
      roster covers unplanned absence; coverage.csv's `required` is then that grossed-up number.
    - Roster: `build_roster` with `settings` (default `SolveSettings(seed=seed)`);
      `solver_progress(objective, bound, seconds)` is called on every improving solution.
      Raises `InfeasibleError` when the hard rules cannot all hold.
    - `compare_greedy`: also build the greedy roster for the same requirements and score it the
      same way (`PlanResult.baseline`, summary key "baseline").
    - `simulate_runs` ≥ 2: play the week out that many times with `seed` (`wfm.simulate`);
      0 means no simulation.
    - `progress(stage)` is called with each name of `STAGES` as that stage starts.
    - `now`: an intraday re-plan (`forecast_workspace(..., now=now)`): history before it is
      known, the rest of the week re-forecast; without `week`, the week holding now.
    - `previous`: last week's plan folder (default `[plan] previous`); it and leave: `wfm.continued`.
    - `published`: this week's plan already given to people, kept where it can be (`wfm.published`).
    """
    if simulate_runs != 0 and simulate_runs < 2:
        raise InputError(f"run_plan: simulate_runs: expected 0 (no simulation) or at least 2 runs, got {simulate_runs}")
    say = progress or (lambda stage: None)
    settings = settings or SolveSettings(seed=seed)

    monday, frame, requirements = plan_requirements(
        ws,
        week,
        forecast_model=forecast_model,
        fill_gaps=fill_gaps,
        adjust_forecast=adjust_forecast,
        forecast=forecast,
        requirements=requirements,
        progress=say,
        now=now,
    )
    continued = continued_inputs(ws, roster_requirements(requirements, ws.plan.shrinkage), monday, previous)

    say("roster")
    result, replanned = _roster(ws, continued, monday, settings, solver_progress, frame, now, published)
    baseline = _greedy_yardstick(continued, say) if compare_greedy else None
    simulation, intervals = _simulated(ws, result.roster, frame, monday, simulate_runs, seed, say)

    say("summary")
    summary = _summed(ws, monday, requirements, result, frame, continued, baseline, simulation, replanned)
    changes = replanned.changes if replanned is not None else None
    return PlanResult(monday, frame, requirements, result, summary, baseline, simulation, intervals, changes)


def _summed(
    ws: Workspace,
    week: dt.date,
    requirements: pd.DataFrame,
    result: RosterResult,
    frame: pd.DataFrame,
    continued: Continued,
    baseline: BaselineSummary | None,
    simulation: dict[str, Any] | None,
    replanned: Replanned | None,
) -> PlanSummary:
    """The "summary" stage: `build_summary` with what the earlier stages found."""
    return build_summary(
        ws,
        week,
        requirements,
        result,
        baseline=baseline,
        simulation=simulation,
        forecast_models=frame.attrs.get("models"),
        previous=continued.summary(),
        changes=replanned.summary if replanned is not None else None,
    )


def _roster(
    ws: Workspace,
    continued: Continued,
    week: dt.date,
    settings: SolveSettings,
    progress: SolverProgress | None,
    frame: pd.DataFrame,
    now: dt.datetime | None,
    published: Path | None,
) -> tuple[RosterResult, Replanned | None]:
    """The "roster" stage: built for the continued inputs, or with a published plan of the week
    that plan kept where it can (`wfm.published.replan`)."""
    forecast_error = frame.attrs.get("day_level_cv")
    if published is None:
        return continued.build(settings, progress, forecast_error), None
    kept = read_published(published, ws, week)
    replanned = replan(continued, kept, settings=settings, progress=progress, forecast_error=forecast_error, now=now)
    return replanned.result, replanned


def _greedy_yardstick(continued: Continued, say: Callable[[str], None]) -> BaselineSummary:
    """The "baseline" stage: the greedy roster for the roster's own inputs, scored like the plan."""
    say("baseline")
    return score_baseline(
        continued.workspace, continued.demand, continued.week, spill=continued.spill, required=continued.required
    )


def _simulated(
    ws: Workspace, roster: pd.DataFrame, forecast: pd.DataFrame, week: dt.date, runs: int, seed: int, say: Callable[[str], None]
) -> tuple[dict[str, Any] | None, pd.DataFrame | None]:
    """The "simulation" stage: the week played out `runs` times (`wfm.simulate`): simulation.json
    content, simulation.csv rows; none when `runs` is 0."""
    if not runs:
        return None, None
    say("simulation")
    simulated = simulate_plan(ws.queues, ws.agents, roster, forecast, week, ws.plan.interval_minutes, runs=runs, seed=seed)
    return _rounded(simulated.summary_json()), simulated.intervals[list(INTERVAL_COLUMNS)]


def plan_requirements(
    ws: Workspace,
    week: dt.date | None = None,
    *,
    forecast_model: str | None = None,
    fill_gaps: str | None = None,
    adjust_forecast: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    forecast: pd.DataFrame | None = None,
    requirements: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
    now: dt.datetime | None = None,
) -> tuple[dt.date, pd.DataFrame, pd.DataFrame]:
    """The first two stages of `run_plan` (same arguments): (plan week, forecast, requirements)."""
    if requirements is not None and (forecast is not None or adjust_forecast is not None):
        raise InputError("run_plan: give requirements, or a forecast (and adjust_forecast), not both")
    say = progress or (lambda stage: None)
    given = requirements if requirements is not None else forecast
    monday = _plan_week(ws, week, given) if now is None else week_at(ws, week, now)
    say("forecast")
    if requirements is not None:
        frame = requirements.loc[:, list(FORECAST_COLUMNS)].copy()
    elif forecast is not None:
        frame = forecast.loc[:, list(FORECAST_COLUMNS)].copy()
    else:
        frame = forecast_workspace(ws, monday, model=forecast_model, fill_gaps=fill_gaps, now=now)
    if adjust_forecast is not None:
        frame = _rescaled_band(frame, adjust_forecast(frame))
    _check_covers_week(frame, monday, "requirements" if requirements is not None else "forecast")
    say("requirements")
    if requirements is None:
        requirements = compute_requirements(frame, ws.queues, ws.plan.interval_minutes, ws.rules, ws.plan.shrinkage)
    return monday, frame, requirements


def roster_requirements(requirements: pd.DataFrame, shrinkage: float) -> pd.DataFrame:
    """What the roster is asked to staff: `requirements` with `agents` replaced by
    `agents_with_shrinkage` when `shrinkage` > 0 (unchanged, same frame, when it is 0)."""
    if shrinkage <= 0:
        return requirements
    out = requirements.copy()
    if "agents_with_shrinkage" in out.columns:
        out["agents"] = out["agents_with_shrinkage"]
    else:
        out["agents"] = apply_shrinkage(out["agents"].to_numpy(), shrinkage)
    return out


def score_baseline(
    ws: Workspace,
    requirements: pd.DataFrame,
    week: dt.date,
    *,
    spill: pd.DataFrame | None = None,
    required: pd.DataFrame | None = None,
) -> BaselineSummary:
    """The greedy roster (`wfm.roster.greedy_baseline`) for the same requirements, scored like
    the plan: per queue service_level, intervals_meeting_target, scheduled_hours; paid_hours,
    headcount_used, seconds. With last week's `spill` rows, it is scored with them on the
    queues against `required` (the requirements before the spill-over was taken off)."""
    greedy = greedy_baseline(ws, requirements, week)
    agents = agent_summary(ws, greedy.roster, week)
    coverage = greedy.coverage
    if spill is not None and not spill.empty:
        coverage = spill_coverage(ws, greedy.roster, spill, required if required is not None else requirements, week)
    queues = {
        name: BaselineQueue(
            service_level=figures["service_level"],
            intervals_meeting_target=figures["intervals_meeting_target"],
            scheduled_hours=figures["scheduled_hours"],
        )
        for name, figures in coverage_summary(coverage).items()
    }
    return BaselineSummary(
        method="greedy",
        queues=queues,
        paid_hours=round(sum(a.paid_hours for a in agents.values()), 2),
        headcount_used=sum(1 for a in agents.values() if a.shifts),
        seconds=_json_safe(greedy.solver.get("seconds")),
    )


# ----------------------------------------------------------------------------- summary.json


def build_summary(
    ws: Workspace,
    week: dt.date,
    requirements: pd.DataFrame,
    roster_result: RosterResult,
    *,
    baseline: BaselineSummary | None = None,
    simulation: Mapping[str, Any] | None = None,
    forecast_models: Mapping[str, str] | None = None,
    previous: PreviousSummary | None = None,
    changes: ChangesSummary | None = None,
) -> PlanSummary:
    """summary.json as a `PlanSummary` (its shape is documented in `wfm.summary`).

    Per queue the roster's coverage figures (`_queue_summary`); per agent of agents.csv
    `agent_summary`; the solver's figures as build_roster reports them; lower_bound_paid_hours
    (`lower_bound_paid_hours`); the plan's settings; and "baseline" / "simulation" when given,
    a simulation also adding to each queue its simulated service level beside Erlang's
    (`_beside_erlang`). `requirements` is the compute_requirements frame (before
    `roster_requirements`). With requests in the workspace, "requests" judges them against the
    roster (`wfm.requests.judge_requests`); "previous" and "changes" are given by `run_plan`.
    """
    agents = agent_summary(ws, roster_result.roster, week)
    simulated = _json_safe(dict(simulation)) if simulation is not None else None
    figures = coverage_summary(roster_result.coverage)
    queues = {
        queue.name: _queue_summary(
            queue,
            figures[queue.name],
            (forecast_models or {}).get(queue.name),
            (simulated or {}).get("queues", {}).get(queue.name),
        )
        for queue in ws.queues
        if queue.name in figures
    }
    given: dict[str, Any] = {}
    if baseline is not None:
        given["baseline"] = baseline
    if simulated is not None:
        given["simulation"] = simulated
    if ws.requests:
        given["requests"] = RequestsSummary.model_validate(judge_requests(ws, roster_result.roster, week))
    if previous is not None:
        given["previous"] = previous
    if changes is not None:
        given["changes"] = changes
    return PlanSummary(
        week=week,
        queues=queues,
        agents=agents,
        paid_hours=round(sum(a.paid_hours for a in agents.values()), 2),
        headcount_used=sum(1 for a in agents.values() if a.shifts),
        solver=SolverSummary.model_validate(_json_safe(dict(roster_result.solver))),
        lower_bound_paid_hours=round(lower_bound_paid_hours(ws, requirements), 2),
        plan=PlanSettings(interval_minutes=ws.plan.interval_minutes, rules=ws.rules.name, shrinkage=ws.plan.shrinkage),
        wfm_version=__version__,
        **given,
    )


def _queue_summary(
    queue: QueueConfig, one: Mapping[str, Any], forecast_model: str | None, simulated: Mapping[str, Any] | None
) -> QueueSummary:
    """One queue's entry: its coverage figures (no service level without contacts), the model
    that forecast it, and its simulated service level when the plan was simulated."""
    busy = one["contacts"] > 0
    entry: dict[str, Any] = {
        "service_level": one["service_level"] if busy else None,
        "target": queue.service_level,
        "intervals_meeting_target": one["intervals_meeting_target"] if busy else None,
        "contacts": one["contacts"],
        "channel": queue.channel,
        "timezone": queue.timezone,
        "required_hours": one["required_hours"],
        "scheduled_hours": one["scheduled_hours"],
    }
    if forecast_model is not None:
        entry["forecast_model"] = forecast_model
    if simulated is not None:
        entry.update(_beside_erlang(simulated))
    return QueueSummary.model_validate(entry)


def _beside_erlang(simulated: Mapping[str, Any]) -> dict[str, Any]:
    """A queue's simulated service level for its summary entry, next to the Erlang figure it is judged against.

    That figure is the simulation's own Erlang prediction for exactly the simulated roster and demand
    (`wfm.simulate`; for email its fluid check), which can differ a little from the roster's
    `service_level`. `disagrees_with_erlang` is true when it lies outside the simulated 95% interval.
    """
    return {
        "simulated_service_level": simulated.get("service_level"),
        "simulated_service_level_ci": simulated.get("service_level_ci"),
        "simulation_erlang_service_level": simulated.get("erlang_service_level"),
        "disagrees_with_erlang": simulated.get("disagrees_with_erlang"),
    }


def agent_summary(ws: Workspace, roster: pd.DataFrame, week: dt.date) -> dict[str, AgentSummary]:
    """Per agent of agents.csv (in its order): paid_hours, shifts, nights, weekend_days.

    From the roster's shifts that start in the plan week (`wfm.planfiles.Shift`, as FORMATS.md
    defines them): paid hours are a shift's length minus lunch; a night shift overlaps the
    profile's local `[nights]` window; a weekend day is a local Saturday or Sunday on which a
    shift starts.
    """
    first, stop = week_bounds(week)
    by_agent = roster_shifts(roster)
    out: dict[str, AgentSummary] = {}
    for agent in ws.agents:
        zone = agent.zone
        shifts = [shift for shift in by_agent.get(agent.agent_id, []) if first <= shift.start < stop]
        weekend = {shift.local_start_date(zone) for shift in shifts if shift.is_weekend(zone)}
        out[agent.agent_id] = AgentSummary(
            paid_hours=round(sum(shift.paid_hours for shift in shifts), 2),
            shifts=len(shifts),
            nights=sum(1 for shift in shifts if shift.is_night(zone, ws.rules.nights)),
            weekend_days=len(weekend),
        )
    return out


def break_factor(rules: RulesProfile) -> float:
    """Fewest paid hours per on-queue hour any legal shift gives: min over shift lengths L of
    paid(L) / (paid(L) − breaks(L) × break_minutes / 60). Paid breaks are off-queue, so a
    roster pays at least this much for each hour of on-queue staffing."""
    best = math.inf
    for length in rules.shifts.lengths_hours:
        paid = rules.paid_hours(length)
        on_queue = paid - rules.breaks_for(length) * rules.breaks.break_minutes / 60
        if on_queue > 0:
            best = min(best, paid / on_queue)
    return 1.0 if math.isinf(best) else best


def lower_bound_paid_hours(ws: Workspace, requirements: pd.DataFrame) -> float:
    """Paid hours below which no roster can meet every interval's requirement:

        ( Σ_phone,chat agents × h  +  Σ_email workload_erlangs × h / max_occupancy / (1 − shrinkage) ) × break_factor

    where h is the interval length in hours, `agents` is `agents_with_shrinkage` when
    shrinkage > 0 (what the roster is asked for), email counts its arriving work at the
    queue's occupancy cap (not the levelled `agents`, which round up every interval), and
    `break_factor(ws.rules)` adds the paid breaks of the most break-efficient shift length.
    Lunch is unpaid and shifts need not match demand exactly, so real rosters sit above it.
    """
    if requirements.empty:
        return 0.0
    hours = ws.plan.interval_minutes / 60
    shrinkage = ws.plan.shrinkage
    demand = roster_requirements(requirements, shrinkage)
    caps = {queue.name: queue.occupancy_cap(ws.rules) for queue in ws.queues}
    deferred = {queue.name for queue in ws.queues if queue.is_deferred}
    is_email = demand["queue"].isin(deferred).to_numpy()
    agents = demand["agents"].to_numpy(dtype=float)
    on_queue = float(agents[~is_email].sum()) * hours
    if is_email.any():
        if "workload_erlangs" in demand.columns:
            work = demand["workload_erlangs"].to_numpy(dtype=float)
        else:
            work = demand["contacts"].to_numpy(dtype=float) * demand["aht_seconds"].to_numpy(dtype=float) / (hours * 3600)
        cap = demand["queue"].map(caps).to_numpy(dtype=float)
        email = np.nan_to_num(work / cap)[is_email].sum() * hours / (1 - shrinkage)
        on_queue += float(email)
    return on_queue * break_factor(ws.rules)


# ----------------------------------------------------------------------------- writing


def write_plan(result: PlanResult, ws: Workspace, out_dir: Path, *, calendars: bool = True, report: bool = True) -> None:
    """Write the plan folder: forecast.csv, requirements.csv, roster.csv, coverage.csv,
    summary.json, and with `calendars` calendars/, with `report` report.html; simulation.csv
    and simulation.json when the plan was simulated, changes.csv when it re-planned a published
    week.

    Everything is built in a staging folder beside `out_dir` and moved in only when all of it
    was written: a failure leaves a previous plan intact. Files of a previous plan that this
    one does not write (e.g. report.html after `wfm schedule`) are left as they were.
    """
    roster = result.roster
    with staged_output(Path(out_dir)) as stage:
        write_forecast(result.forecast, stage)
        write_requirements(result.requirements, stage)
        write_roster(roster.roster, stage)
        write_coverage(roster.coverage, stage)
        write_json(result.plan_summary.as_json(), stage / "summary.json")
        if result.changes is not None:
            result.changes[list(CHANGES_COLUMNS)].to_csv(stage / "changes.csv", index=False)
        if result.simulation is not None:
            write_json(result.simulation, stage / "simulation.json")
            if result.simulation_intervals is not None:
                write_frame(result.simulation_intervals, stage / "simulation.csv")
        if calendars:
            write_calendars(stage, roster.roster, ws.agents, result.week)
        if report:
            page = build_report(
                roster.roster,
                roster.coverage,
                result.plan_summary,
                ws.agents,
                result.week,
                nights=ws.rules.nights,
                requirements=_with_band(roster_requirements(result.requirements, ws.plan.shrinkage), result.forecast),
                title=f"wfm weekly plan: {ws.root.resolve().name}",
                changes=result.changes,
            )
            (stage / "report.html").write_text(page, encoding="utf-8")


# ----------------------------------------------------------------------------- reading given stages


def read_requirements(path: Path, ws: Workspace) -> pd.DataFrame:
    """A requirements.csv (queue, interval_start, contacts, aht_seconds, agents) → the
    compute_requirements frame, with the file's `agents` (a planner may have edited them).

    The other columns (channel, traffic, email workload and deadline) are recomputed from the
    file's contacts and handle times, and `agents_with_shrinkage` from its `agents` and
    `[plan] shrinkage`; columns in the file beyond the five above are ignored.
    """
    path = Path(path)
    forecast = read_forecast(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    raw.columns = [str(column).strip() for column in raw.columns]
    if "agents" not in raw.columns:
        raise InputError(
            f"{path.name} header: required column 'agents' is missing (columns: queue, interval_start, contacts, "
            "aht_seconds, agents)"
        )
    text = raw["agents"].str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    bad = (numbers.isna() | (numbers < 0) | (numbers != numbers.round())).to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = text.iloc[row]
        raise InputError(f"{path.name} row {row + 2}, column agents: expected a whole number of agents ≥ 0, got {value!r}")
    requirements = compute_requirements(forecast, ws.queues, ws.plan.interval_minutes, ws.rules, ws.plan.shrinkage)
    # compute_requirements sorts by queue and interval_start; line the file's agents up the same way.
    given = pd.DataFrame({"queue": forecast["queue"], "interval_start": forecast["interval_start"], "given": numbers.astype(int)})
    merged = requirements.merge(given, on=["queue", "interval_start"], how="left", validate="one_to_one")
    requirements["agents"] = merged["given"].to_numpy(dtype=np.int64)
    requirements["agents_with_shrinkage"] = apply_shrinkage(requirements["agents"].to_numpy(), ws.plan.shrinkage)
    return requirements


def _rescaled_band(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """A what-if's adjusted forecast with its prediction interval scaled as its contacts were
    (row by row; an adjustment that drops the band columns keeps them dropped)."""
    band = [column for column in BAND_COLUMNS if column in after.columns]
    if not band or len(after) != len(before) or not after.index.equals(before.index):
        return after
    old = before["contacts"].to_numpy(dtype=float)
    new = after["contacts"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(old > 0, new / np.where(old > 0, old, 1.0), 0.0)
    out = after.copy()
    for column in band:
        out[column] = np.round(before[column].to_numpy(dtype=float) * scale)
    return out


def _with_band(requirements: pd.DataFrame, forecast: pd.DataFrame) -> pd.DataFrame:
    """Requirements with the forecast's prediction interval beside contacts, for the report's chart."""
    band = [column for column in BAND_COLUMNS if column in forecast.columns]
    if not band or any(column in requirements.columns for column in band):
        return requirements
    keys = ["queue", "interval_start"]
    return requirements.merge(forecast[keys + band], on=keys, how="left", validate="one_to_one")


def _plan_week(ws: Workspace, week: dt.date | None, given: pd.DataFrame | None) -> dt.date:
    if week is not None or ws.plan.week is not None or given is None or not ws.history.empty:
        return ws.plan_week(week)
    if given.empty:
        raise InputError("forecast: no rows, so no plan week can be inferred (name the plan week, e.g. [plan] week in wfm.toml)")
    first = pd.Timestamp(given["interval_start"].min()).date()
    return first - dt.timedelta(days=first.weekday())


def _check_covers_week(frame: pd.DataFrame, week: dt.date, source: str) -> None:
    start, end = week_bounds(week)
    stamps = pd.to_datetime(frame["interval_start"], utc=True)
    if not ((stamps >= pd.Timestamp(start)) & (stamps < pd.Timestamp(end))).any():
        span = f"{stamps.min():%Y-%m-%d} to {stamps.max():%Y-%m-%d}" if len(stamps) else "no rows"
        raise InputError(f"{source}: no interval in the plan week of {week}, got {span} (plan the file's week instead)")


def _json_safe(value: Any) -> Any:
    """Plain JSON values: numpy scalars become Python numbers, NaN and infinities null."""
    if isinstance(value, Mapping):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _rounded(value: Any) -> Any:
    """Six decimals: enough for any planner, and stable diffs between runs."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, Mapping):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value
