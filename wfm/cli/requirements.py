"""`wfm requirements`: on-queue agents needed per queue and interval of the plan week → requirements.csv.

Thin on purpose: forecasting and Erlang sizing live in `wfm.forecast` and `wfm.requirements`
(chained by `wfm.pipeline.plan_requirements`); this parses, writes through a staging folder and
prints one row per queue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from wfm.cli.common import console, guarded, parse_week
from wfm.cli.schedule import FillGapsOpt, ModelOpt, PlanProgress, WeekOpt, WorkspaceArg, say_written
from wfm.outputs import staged_output, write_requirements
from wfm.pipeline import plan_requirements, read_forecast
from wfm.workspace import Workspace, load_workspace


@guarded
def requirements(
    workspace: WorkspaceArg,
    out: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Folder to write requirements.csv into (created if missing).")
    ],
    week: WeekOpt = None,
    forecast: Annotated[
        Path | None,
        typer.Option(
            "--forecast", metavar="FILE", help="Size staff for this forecast.csv instead of forecasting from history.csv."
        ),
    ] = None,
    model: ModelOpt = None,
    fill_gaps: FillGapsOpt = None,
) -> None:
    """Size staff for every queue and interval of the plan week (Erlang C, or A with patience).

    Forecasts from history.csv first unless --forecast is given. Phone and chat: the fewest
    on-queue agents meeting the queue's service level and occupancy cap; email: level staffing
    that clears every email within its deadline. Writes DIR/requirements.csv: queue,
    interval_start (UTC), contacts, aht_seconds, agents, plus agents_with_shrinkage, channel,
    traffic_erlangs, workload_erlangs and deadline_hours.

    Example: wfm requirements forecasts/global-support --out plan
    """
    plan_week = parse_week(week)
    with PlanProgress() as show:
        show.stage("load")
        ws = load_workspace(workspace, with_history=forecast is None)
        given = read_forecast(forecast) if forecast is not None else None
        monday, _, frame = plan_requirements(
            ws, plan_week, forecast_model=model, fill_gaps=fill_gaps, forecast=given, progress=show.stage
        )
        show.stage("write")
        with staged_output(out) as stage:
            write_requirements(frame, stage)
    console.print(_table(frame, ws, f"Requirements, week of {monday} ({ws.plan.interval_minutes}-minute intervals, UTC)"))
    say_written(out, ("requirements.csv",))


def _table(frame: pd.DataFrame, ws: Workspace, title: str) -> Table:
    hours = ws.plan.interval_minutes / 60
    shrinkage = ws.plan.shrinkage
    table = Table(title=title, title_justify="left")
    table.add_column("queue")
    table.add_column("channel")
    table.add_column("contacts", justify="right")
    table.add_column("agent-hours", justify="right")
    if shrinkage > 0:
        table.add_column(f"with {shrinkage:.0%} shrinkage", justify="right")
    table.add_column("peak agents", justify="right")
    for queue in ws.queues:
        rows = frame[frame["queue"] == queue.name]
        if rows.empty:
            continue
        cells = [queue.name, queue.channel, f"{rows['contacts'].sum():,.0f}", f"{rows['agents'].sum() * hours:,.1f}"]
        if shrinkage > 0:
            cells.append(f"{rows['agents_with_shrinkage'].sum() * hours:,.1f}")
        cells.append(str(int(rows["agents"].max())))
        table.add_row(*cells)
    return table


def register(app: typer.Typer) -> None:
    app.command("requirements")(requirements)
