"""`wfm simulate`: play a written plan's week out contact by contact and compare with Erlang.

Thin on purpose: the model and the files it writes live in `wfm.simulate`; this reads the plan
folder, calls it and prints one table row per queue (`simulation_table`, from simulation.json's
shape, so a plan's stored simulation can be shown the same way).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from wfm.check import plan_week, read_plan
from wfm.cli.common import console, guarded, parse_week
from wfm.errors import InputError
from wfm.simulate import (
    MAX_OVERDISPERSION,
    HandleTime,
    Routing,
    SimulationResult,
    read_forecast_csv,
    simulate_plan,
    write_simulation,
)
from wfm.workspace import load_workspace


@guarded
def simulate(
    workspace: Annotated[Path, typer.Argument(help="The workspace folder (wfm.toml, agents.csv) the plan was made from.")],
    plan_dir: Annotated[Path, typer.Argument(help="A plan folder with roster.csv and forecast.csv (`wfm plan` writes both).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for simulation.csv and simulation.json (created if missing).")],
    runs: Annotated[int, typer.Option(min=2, max=10_000, help="Independent weeks to simulate.")] = 30,
    seed: Annotated[int, typer.Option(min=0, help="Random seed; the same seed and inputs give identical output.")] = 0,
    overdispersion: Annotated[
        float,
        typer.Option(
            metavar="CV",
            help="Day-to-day volume noise beyond Poisson: coefficient of variation of a gamma "
            "multiplier per queue-day (0 = pure Poisson).",
        ),
    ] = 0.0,
    handle_time: Annotated[HandleTime, typer.Option(help="Handle-time distribution around each interval's AHT.")] = "exponential",
    aht_cv: Annotated[float, typer.Option(help="Coefficient of variation of lognormal handle times.")] = 1.0,
    routing: Annotated[
        Routing,
        typer.Option(
            help="roster: agents take only their row's queue. skills: on any queue row, agents take every "
            "queue they are skilled for (longest-idle agent; a freed agent takes the longest-waiting contact, "
            "phone and chat before email)."
        ),
    ] = "roster",
    week: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Monday the plan week starts (UTC); default: from summary.json or the roster."),
    ] = None,
) -> None:
    """Play the planned week out contact by contact, RUNS times, and compare with Erlang.

    Arrivals are Poisson per forecast interval, handle times exponential (or lognormal), abandonment
    exponential where the queue has patience_seconds. Contacts are handed to agents as they become
    free, first in first out per queue; a contact in hand is finished before a break or row change,
    and a break or lunch then lasts its full rostered length.
    Writes per-interval means (simulation.csv) and per-queue service level with a 95% interval across
    runs, ASA, abandon rate, Erlang's prediction for the same roster and whether it lies outside that
    interval (simulation.json).
    """
    if not 0 <= overdispersion <= MAX_OVERDISPERSION:
        expected = f"expected a coefficient of variation in [0, {MAX_OVERDISPERSION:g}]"
        raise InputError(f"--overdispersion: {expected}, got {overdispersion}")
    ws = load_workspace(workspace, with_history=False)
    roster = read_plan(plan_dir)
    forecast = read_forecast_csv(Path(plan_dir) / "forecast.csv")
    monday = plan_week(plan_dir, roster, parse_week(week))
    with console.status(f"simulating {runs} weeks…"):
        result = simulate_plan(
            ws.queues,
            ws.agents,
            roster,
            forecast,
            monday,
            ws.plan.interval_minutes,
            runs=runs,
            seed=seed,
            overdispersion=overdispersion,
            handle_time=handle_time,
            aht_cv=aht_cv,
            routing=routing,
        )
    write_simulation(result, out)
    console.print(_table(result, monday))
    console.print(f"wrote {Path(out) / 'simulation.csv'} and {Path(out) / 'simulation.json'}", markup=False, soft_wrap=True)


def _table(result: SimulationResult, monday: dt.date) -> Table:
    title = f"Simulated week of {monday}: {result.runs} runs, seed {result.seed}, routing {result.routing}"
    return simulation_table({name: queue.model_dump() for name, queue in result.queues.items()}, title)


def simulation_table(queues: Mapping[str, Mapping[str, Any]], title: str) -> Table:
    """One row per queue of simulation.json's `queues`: the simulated service level with its 95%
    interval beside Erlang's prediction for the same plan, starred where Erlang lies outside it."""
    flagged = any(queue.get("disagrees_with_erlang") for queue in queues.values())
    table = Table(title=title, caption="* Erlang lies outside the simulated 95% interval" if flagged else None)
    table.add_column("queue")
    table.add_column("contacts/week", justify="right")
    table.add_column("service level (95% CI)", justify="right")
    table.add_column("Erlang", justify="right")
    table.add_column("ASA s", justify="right")
    table.add_column("abandoned", justify="right")
    for name, queue in queues.items():
        level, ci, erlang = queue.get("service_level"), queue.get("service_level_ci"), queue.get("erlang_service_level")
        asa, abandoned = queue.get("asa_seconds"), queue.get("abandon_rate")
        interval = f" ({ci[0]:.1%}–{ci[1]:.1%})" if ci else ""
        mark = " *" if queue.get("disagrees_with_erlang") else ""
        table.add_row(
            name,
            f"{queue.get('offered') or 0:,.0f}",
            "–" if level is None else f"{level:.1%}{interval}",
            "–" if erlang is None else f"{erlang:.1%}{mark}",
            "–" if asa is None else f"{asa:.1f}",
            "–" if abandoned is None else f"{abandoned:.1%}",
        )
    return table


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
