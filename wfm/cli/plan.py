"""`wfm plan` (the weekly job), `wfm demo` (the same on the shipped sample) and `wfm init` (a starter workspace).

Thin on purpose: the stages live in `wfm.pipeline`, the starter in `wfm.starter`; this parses,
shows progress, writes the plan folder through a staging folder and prints the summary table
with the greedy roster beside it and where report.html is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from wfm import paths
from wfm.cli.common import console, guarded, parse_week
from wfm.cli.forecast import NowOpt, parse_now, print_notes
from wfm.cli.schedule import (
    DEFAULT_TIME_LIMIT,
    FillGapsOpt,
    ModelOpt,
    PlanProgress,
    PreviousOpt,
    PublishedOpt,
    SeedOpt,
    TimeLimitOpt,
    WeekOpt,
    WorkspaceArg,
    plan_notes,
    print_summary,
    solve_settings,
)
from wfm.cli.simulate import simulation_table
from wfm.errors import InputError
from wfm.pipeline import PlanResult, run_plan, write_plan
from wfm.roster import SolveSettings
from wfm.starter import write_starter
from wfm.weeks import check_weeks, plan_weeks
from wfm.workspace import load_workspace

DEMO_TIME_LIMIT = 30.0
PLAN_FILES = ("forecast.csv", "requirements.csv", "roster.csv", "coverage.csv", "summary.json", "calendars/", "report.html")

WeeksOpt = Annotated[
    int | None,
    typer.Option(
        "--weeks",
        metavar="N",
        help="Plan N consecutive weeks, each in DIR/<Monday>/ and continued from the one before (the first from"
        " --previous or [plan] previous).",
    ),
]
SimulateOpt = Annotated[
    int,
    typer.Option(
        "--simulate",
        metavar="N",
        help="Also play the planned week out N times contact by contact (simulation.csv/json, a report section); 0: no.",
    ),
]


@guarded
def plan(
    workspace: WorkspaceArg,
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="The plan folder to write (created if missing).")],
    week: WeekOpt = None,
    time_limit: TimeLimitOpt = DEFAULT_TIME_LIMIT,
    seed: SeedOpt = None,
    simulate: SimulateOpt = 0,
    model: ModelOpt = None,
    fill_gaps: FillGapsOpt = None,
    now: NowOpt = None,
    previous: PreviousOpt = None,
    published: PublishedOpt = None,
    weeks: WeeksOpt = None,
) -> None:
    """The weekly job: forecast, staffing, roster, calendars and report for the plan week.

    Writes DIR/forecast.csv, requirements.csv, roster.csv, coverage.csv, summary.json,
    calendars/ (one .ics per agent and team.ics) and report.html, all or nothing: a failure
    leaves a previous plan intact. The summary compares the roster with a simple greedy one.
    Exit 2 on bad input (file, row and column named), 3 when the hard rules cannot all hold.
    --weeks N plans N weeks, one folder DIR/<Monday>/ each, each continued from the one before;
    --published re-plans a week already given to people, keeping every shift it can
    (DIR/changes.csv says what changed).

    Example: wfm plan forecasts/global-support --out plan --time-limit 120
    """
    plan_week = parse_week(week)
    at = parse_now(now)
    settings = solve_settings(time_limit, seed)
    if weeks is not None:
        check_weeks(weeks)
        _run_weeks(workspace, out, plan_week, weeks, settings, seed or 0, simulate, model, fill_gaps, at, previous, published)
        return
    _run(workspace, out, plan_week, settings, seed or 0, simulate, model, fill_gaps, at, previous, published, command=plan)


@guarded
def demo(
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="The plan folder to write (created if missing).")] = Path(
        "demo-plan"
    ),
    time_limit: TimeLimitOpt = DEMO_TIME_LIMIT,
    seed: SeedOpt = None,
    simulate: SimulateOpt = 0,
) -> None:
    """Plan the shipped sample workspace (a global support center) with no input of yours.

    Six queues in three customer clocks, agents in Manila, Mexico City, Madrid and the US; the
    same weekly job as `wfm plan`. Open DIR/report.html afterwards.

    Example: wfm demo --out demo-plan --time-limit 30
    """
    sample = paths.sample_workspace()
    if not (sample / "wfm.toml").is_file():
        raise InputError(f"{sample}: the sample workspace is missing from this installation (reinstall wfm)")
    settings = solve_settings(time_limit, seed)
    console.print(f"planning the sample workspace {sample}", markup=False, soft_wrap=True)
    _run(sample, out, None, settings, seed or 0, simulate, None, None, command=demo)


@guarded
def init(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="A new (or empty) folder for the workspace.")],
) -> None:
    """Write a starter workspace: a commented wfm.toml, agents.csv, history.csv, special_days.csv.

    The sample people and a few weeks of history are plausible enough that `wfm plan DIR`
    works right away; replace them with yours file by file (DIR/README.md explains the
    columns). Never overwrites: a folder that already holds files is refused (exit 2).

    Example: wfm init myteam && wfm plan myteam --out myteam-plan
    """
    with PlanProgress() as show:
        show.stage("write")
        write_starter(directory)
    console.print(
        f"wrote a starter workspace in {directory}: wfm.toml, agents.csv, history.csv, special_days.csv, README.md",
        markup=False,
        soft_wrap=True,
    )
    console.print(f"next: wfm plan {directory} --out {directory}-plan", markup=False, soft_wrap=True)


def _run(
    workspace: Path,
    out: Path,
    week: dt.date | None,
    settings: SolveSettings,
    seed: int,
    simulate: int,
    model: str | None,
    fill_gaps: str | None,
    now: dt.datetime | None = None,
    previous: Path | None = None,
    published: Path | None = None,
    *,
    command: Callable[..., object],
) -> None:
    """One plan week planned and written; `command` (plan, demo) words the notes in its options."""
    if simulate != 0 and not 2 <= simulate <= 10_000:
        raise InputError(f"--simulate: expected 0 (no simulation) or 2 to 10000 runs, got {simulate}")
    with PlanProgress(settings.time_limit) as show:
        show.stage("load")
        ws = load_workspace(workspace)
        result = run_plan(
            ws,
            week,
            settings=settings,
            forecast_model=model,
            fill_gaps=fill_gaps,
            simulate_runs=simulate,
            seed=seed,
            compare_greedy=True,
            progress=show.stage,
            solver_progress=show.solver,
            now=now,
            previous=previous,
            published=published,
        )
        show.stage("write")
        write_plan(result, ws, out)
    _print_result(result, command)
    console.print(f"wrote {', '.join(_written(result))} in {out}", markup=False, soft_wrap=True)
    console.print(f"report: {out / 'report.html'}", markup=False, soft_wrap=True)


def _run_weeks(
    workspace: Path,
    out: Path,
    week: dt.date | None,
    weeks: int,
    settings: SolveSettings,
    seed: int,
    simulate: int,
    model: str | None,
    fill_gaps: str | None,
    now: dt.datetime | None,
    previous: Path | None,
    published: Path | None,
) -> None:
    """`wfm plan --weeks N`: the weeks planned one after the other (`wfm.weeks.plan_weeks`),
    then each week's table and the folders written."""
    if simulate != 0 and not 2 <= simulate <= 10_000:
        raise InputError(f"--simulate: expected 0 (no simulation) or 2 to 10000 runs, got {simulate}")
    folders: list[Path] = []
    with PlanProgress(settings.time_limit) as show:
        show.stage("load")
        ws = load_workspace(workspace)
        results = plan_weeks(
            ws,
            week,
            weeks,
            out,
            previous=previous,
            published=published,
            on_week=lambda result, folder: folders.append(folder),
            settings=settings,
            forecast_model=model,
            fill_gaps=fill_gaps,
            simulate_runs=simulate,
            seed=seed,
            compare_greedy=True,
            progress=show.stage,
            solver_progress=show.solver,
            now=now,
        )
    for result, folder in zip(results, folders, strict=True):
        _print_result(result, plan)
        console.print(f"wrote {', '.join(_written(result))} in {folder}", markup=False, soft_wrap=True)
    console.print(
        f"wrote {weeks} weeks in {out}: {', '.join(folder.name for folder in folders)}; report of the first:"
        f" {folders[0] / 'report.html'}",
        markup=False,
        soft_wrap=True,
    )


def _print_result(result: PlanResult, command: Callable[..., object]) -> None:
    """A planned week's notes (worded in `command`'s options), its table and plan line, and with
    --simulate the simulated service level of each queue beside Erlang's for the same roster
    (`wfm simulate`'s table)."""
    print_notes(plan_notes(result), command)
    print_summary(result, f"Plan, week of {result.week}")
    simulation = result.simulation
    if simulation is not None:
        title = f"Simulated week of {result.week}: {simulation.get('runs')} runs, seed {simulation.get('seed')}"
        console.print(simulation_table(simulation.get("queues", {}), title))


def _written(result: PlanResult) -> tuple[str, ...]:
    files = PLAN_FILES + (("simulation.csv", "simulation.json") if result.simulation is not None else ())
    return files + (("changes.csv",) if result.changes is not None else ())


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
    app.command("demo")(demo)
    app.command("init")(init)
