"""`wfm whatif`: the weekly job once per scenario of SCENARIOS.toml, side by side.

Thin on purpose: parsing, applying and running scenarios and searching questions live in
`wfm.whatif`; this parses options, shows progress, writes DIR (staged: nothing half-written) and
prints one table row per scenario and queue.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from wfm.cli.common import console, err_console, guarded, parse_week
from wfm.cli.schedule import (
    DEFAULT_TIME_LIMIT,
    FillGapsOpt,
    ModelOpt,
    SeedOpt,
    TimeLimitOpt,
    WeekOpt,
    WorkspaceArg,
    solve_settings,
)
from wfm.errors import InputError
from wfm.forecast.models import check_model
from wfm.history import check_fill_gaps
from wfm.whatif import Answer, RayUnavailable, WhatifResult, load_scenarios, run_whatif, write_whatif
from wfm.workspace import load_workspace


@guarded
def whatif(
    workspace: WorkspaceArg,
    scenarios: Annotated[Path, typer.Argument(metavar="SCENARIOS.toml", help="The scenarios (and questions) to plan.")],
    out: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Folder for comparison.csv, report.html and a plan folder per scenario.")
    ],
    time_limit: TimeLimitOpt = DEFAULT_TIME_LIMIT,
    seed: SeedOpt = None,
    week: WeekOpt = None,
    serial: Annotated[
        bool, typer.Option("--serial", help="One scenario after the other in this process (default: a process per scenario).")
    ] = False,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="ADDRESS",
            help="Run each scenario as a task on this Ray cluster ('auto', 'ray://host:10001'); "
            "needs the ray extra: pip install 'wfm\\[ray]'.",
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="CP-SAT workers per solve (fewer when scenarios share the CPUs).")
    ] = 2,
    model: ModelOpt = None,
    fill_gaps: FillGapsOpt = None,
    calendars: Annotated[bool, typer.Option("--calendars/--no-calendars", help="Write calendars/ into each plan folder.")] = True,
) -> None:
    """Plan the week once per scenario of SCENARIOS.toml and compare them.

    A scenario changes the baseline: volume, per-queue deflection, AHT and
    closed days, agents removed (share, drawn with --seed) or added (count,
    timezone, skills, on_queue_from), sites closed on some days, another rules
    profile. A question searches the fewest added agents (timezone, skills)
    meeting every phone and chat queue's share of intervals at target.

    Writes DIR/comparison.csv (scenario, queue, contacts, service_level,
    intervals_meeting_target, required_hours, scheduled_hours, and the
    scenario's agents_scheduled and paid_hours on each of its rows),
    DIR/report.html, DIR/questions.json with questions, and one plan folder per
    scenario, DIR/SLUG/ (its name in lower-case ASCII words joined by -).

    Example: wfm whatif forecasts/global-support SCENARIOS.toml --time-limit 30 --out whatif
    """
    if serial and ray:
        raise InputError("--serial and --ray: choose one (--ray runs scenarios on a cluster, --serial in this process)")
    plan_week = parse_week(week)
    how = check_fill_gaps(fill_gaps)
    forecast_model = check_model(model) if model is not None else None
    settings = dataclasses.replace(solve_settings(time_limit, seed), workers=workers)
    seed = seed or 0  # agents removed are drawn with it either way
    ws = load_workspace(workspace)
    file = load_scenarios(scenarios, ws)
    with err_console.status("planning scenarios…") as status:

        def progress(message: str) -> None:
            err_console.print(f"  {message}", markup=False, highlight=False)
            status.update(f"planning scenarios… last: {message}")

        try:
            result = run_whatif(
                ws,
                file,
                settings,
                plan_week,
                seed,
                parallel=not serial,
                ray_address=ray,
                forecast_model=forecast_model,
                fill_gaps=how,
                progress=progress,
            )
        except RayUnavailable as exc:
            raise InputError(f"--ray {exc.address}: {exc.problem}") from None
    comparison = write_whatif(result, ws, out, seed=seed, calendars=calendars)
    console.print(_table(comparison, result))
    for answer in result.answers:
        console.print(_answer_line(answer), markup=False, soft_wrap=True)
    written = f"wrote {out / 'comparison.csv'}, {out / 'report.html'} and {len(result.runs)} plan folders"
    console.print(written, markup=False, soft_wrap=True)


def _answer_line(answer: Answer) -> str:
    q = answer.question
    hire = f"{'|'.join(q.skills)} agents in {q.timezone}" + (f" ({q.site})" if q.site else "")
    if answer.reached:
        return (
            f"{q.name}: {answer.added} more {hire} meet ≥ {q.target_intervals:.0%} of intervals at target on every phone and"
            " chat queue"
        )
    return f"{q.name}: target not reached by adding {hire} ({answer.reason})"


def _pct(value: float | None) -> str:
    return "–" if value is None or value != value else f"{value:.1%}"


def _table(comparison: pd.DataFrame, result: WhatifResult) -> Table:
    how = f"{result.mode}, {result.workers_per_solve} solver worker(s) per job, {result.seconds:g} s"
    table = Table(title=f"What-if, week of {result.week} ({how})")
    table.add_column("scenario", overflow="fold")
    table.add_column("queue", no_wrap=True)
    for name in ("contacts", "SL", "on target", "required h", "scheduled h", "agents", "paid h"):
        table.add_column(name, justify="right", no_wrap=True)
    previous = None
    for row in comparison.to_dict("records"):
        first = row["scenario"] != previous
        if first and previous is not None:
            table.add_section()
        previous = row["scenario"]
        table.add_row(
            str(row["scenario"]) if first else "",
            str(row["queue"]),
            f"{row['contacts']:,.0f}",
            _pct(row["service_level"]),
            _pct(row["intervals_meeting_target"]),
            f"{row['required_hours']:,.1f}",
            f"{row['scheduled_hours']:,.1f}",
            f"{row['agents_scheduled']:d}" if first else "",
            f"{row['paid_hours']:,.1f}" if first else "",
        )
    return table


def register(app: typer.Typer) -> None:
    app.command("whatif")(whatif)
