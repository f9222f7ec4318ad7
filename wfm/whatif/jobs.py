"""One weekly job of a what-if run: the options every job shares, the job itself, and its
errors named after the scenario they came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wfm.errors import InfeasibleError, WfmError
from wfm.roster import SolveSettings
from wfm.whatif.apply import ForecastAdjustment, apply_scenario
from wfm.whatif.scenarios import Scenario
from wfm.workspace import Workspace, load_workspace

if TYPE_CHECKING:
    from wfm.pipeline import PlanResult


@dataclass(frozen=True)
class JobOptions:
    """What every weekly job of a what-if run shares."""

    week: dt.date
    seed: int = 0
    settings: SolveSettings = field(default_factory=SolveSettings)
    forecast_model: str | None = None
    fill_gaps: str | None = None
    compare_greedy: bool = True


def plan_job(ws: Workspace, adjust: ForecastAdjustment, options: JobOptions) -> PlanResult:
    """The weekly job on an applied workspace, its forecast changed by `adjust`."""
    from wfm.pipeline import run_plan

    return run_plan(
        ws,
        options.week,
        settings=options.settings,
        forecast_model=options.forecast_model,
        fill_gaps=options.fill_gaps,
        adjust_forecast=adjust,
        seed=options.seed,
        compare_greedy=options.compare_greedy,
    )


def run_scenario(ws: Workspace, scenario: Scenario, options: JobOptions) -> PlanResult:
    """Apply `scenario` to the baseline `ws` and plan it; an error names the scenario."""
    applied, adjust = apply_scenario(ws, scenario, options.seed, week=options.week)
    return run_applied(applied, adjust, options, scenario.name)


def run_in_process(root: str, scenario: Scenario, options: JobOptions) -> PlanResult:
    """Process-pool worker: load the workspace here, apply, build and solve here."""
    return run_scenario(load_workspace(root), scenario, options)


def run_applied(ws: Workspace, adjust: ForecastAdjustment, options: JobOptions, name: str) -> PlanResult:
    """Plan a workspace that comes applied (a Ray worker: the cluster need not see the
    planner's files); an error names the scenario."""
    try:
        return plan_job(ws, adjust, options)
    except WfmError as exc:
        raise named(exc, name) from None


def named(exc: WfmError, name: str) -> WfmError:
    """`exc` with its message starting `scenario 'NAME': `, of the same type."""
    message = f"scenario {name!r}: {exc}"
    if str(exc).startswith(f"scenario {name!r}"):
        return exc
    if isinstance(exc, InfeasibleError):
        return InfeasibleError(message, exc.reasons)
    named = type(exc)(message)
    return named
