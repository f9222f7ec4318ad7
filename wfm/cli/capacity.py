"""`wfm capacity`: the months-ahead plan (attrition, hiring classes, training) → a capacity folder.

Thin on purpose: the work lives in `wfm.capacity`; this parses options, shows progress, writes
DIR through a staging folder and prints the classes to open (one line when there are none).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from wfm.capacity import load_capacity, run_capacity, write_capacity
from wfm.capacity.report import no_class_note
from wfm.cli.common import console, err_console, guarded
from wfm.cli.schedule import FillGapsOpt, ModelOpt, WorkspaceArg, say_written
from wfm.forecast.models import check_model
from wfm.history import check_fill_gaps
from wfm.workspace import load_workspace

OUTPUTS = ("capacity.csv", "staffing.csv", "hiring.csv", "report.html", "summary.json")


@guarded
def capacity(
    workspace: WorkspaceArg,
    settings: Annotated[Path, typer.Argument(metavar="CAPACITY.toml", help="Horizon, volume, peaks, attrition and hiring.")],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Folder for the capacity plan (created if missing).")],
    runs: Annotated[int, typer.Option("--runs", min=10, max=100_000, help="Plays of attrition for the pessimistic band.")] = 500,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the pessimistic band's plays.")] = 0,
    model: ModelOpt = None,
    fill_gaps: FillGapsOpt = None,
) -> None:
    """Plan 13–52 weeks ahead: required hours per queue and week, supply per site with attrition,
    and the hiring classes (site, start week, size) that cover demand at the least paid hours.

    The first week's interval forecast is the representative week; each week scales it (growth,
    factors, deflection, peaks, special days) and Erlang sizes every interval again. Hires train
    off queue, then ramp. Writes DIR/capacity.csv, staffing.csv, hiring.csv, report.html and
    summary.json.

    Example: wfm capacity forecasts/global-support CAPACITY.toml --out capacity
    """
    if model is not None:
        check_model(model)
    check_fill_gaps(fill_gaps)
    config = load_capacity(settings)
    ws = load_workspace(workspace)
    with err_console.status("planning capacity…") as status:
        result = run_capacity(
            ws,
            config,
            model=model,
            fill_gaps=fill_gaps,
            runs=runs,
            seed=seed,
            source=settings.name,
            progress=lambda stage: status.update(f"planning capacity… {stage}"),
        )
        write_capacity(result, out, title=f"wfm capacity plan: {ws.root.resolve().name}")
    head = result.headline
    covered = head.weeks_covered_after_lead
    console.print(
        f"{head.weeks} weeks from {head.start}: required {head.required_hours:,.0f} h, "
        f"short {head.short_hours:,.0f} h ({head.short_share:.1%}); weeks covered after the lead: "
        + ("n/a" if covered is None else f"{covered:.0%}"),
        markup=False,
        soft_wrap=True,
    )
    if result.hiring.empty:
        console.print(no_class_note(head.short_hours), markup=False, soft_wrap=True)
    else:
        console.print(_classes(result.hiring, head.hires))
    say_written(out, OUTPUTS)


def _classes(hiring: pd.DataFrame, hires: int) -> Table:
    table = Table(title=f"Classes to open ({hires} hires)", title_justify="left")
    for name in ("class start", "site", "skills", "on queue from"):
        table.add_column(name)
    table.add_column("size", justify="right")
    for row in hiring.to_dict("records"):
        table.add_row(row["class_start"], row["site"], row["skills"], row["on_queue_from"], str(row["size"]))
    return table


def register(app: typer.Typer) -> None:
    app.command("capacity")(capacity)
