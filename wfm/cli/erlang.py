"""`wfm erlang`: staffing for one interval, sized or evaluated, as a table or one JSON object.

Thin on purpose: the sizing, the verdict and the JSON shape live in `wfm.erlang.interval`; this
checks the options (each bad value is one `--option: ...` line, exit 2), calls it and prints.
"""

from __future__ import annotations

import json
import math
from typing import Annotated

import typer
from rich.table import Table

from wfm.cli.common import console, guarded
from wfm.erlang import MAX_TRAFFIC_ERLANGS, traffic_erlangs
from wfm.erlang.interval import IntervalStaffing, staff_interval
from wfm.errors import InputError


@guarded
def erlang(
    contacts: Annotated[float, typer.Option("--contacts", help="Contacts offered in the interval (≥ 0).")],
    interval_minutes: Annotated[float, typer.Option("--interval-minutes", help="Length of the interval in minutes.")],
    aht: Annotated[float, typer.Option("--aht", help="Average handle time in seconds (a chat's own length).")],
    service_level: Annotated[
        float, typer.Option("--service-level", help="Target share of all contacts answered within --answer-seconds.")
    ] = 0.8,
    answer_seconds: Annotated[
        float, typer.Option("--answer-seconds", help="Answer-time target of the service level, in seconds.")
    ] = 20.0,
    concurrency: Annotated[
        int, typer.Option("--concurrency", help="Chat: conversations one agent holds at once (k servers per agent).")
    ] = 1,
    patience: Annotated[
        float | None,
        typer.Option("--patience", help="Mean patience in seconds: Erlang A (callers hang up) instead of Erlang C."),
    ] = None,
    max_occupancy: Annotated[
        float | None,
        typer.Option(
            "--max-occupancy",
            help="Occupancy cap per server when sizing, e.g. 0.85 (default: no cap; requirements use the rules profile's).",
        ),
    ] = None,
    shrinkage: Annotated[
        float, typer.Option("--shrinkage", help="Unplanned absence, e.g. 0.3: also report ⌈agents / (1 − shrinkage)⌉.")
    ] = 0.0,
    agents: Annotated[int | None, typer.Option("--agents", help="Evaluate this many on-queue agents instead of sizing.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")] = False,
) -> None:
    """Erlang staffing for one interval.

    Without --agents, finds the fewest on-queue agents meeting the service
    level (and the occupancy cap, if given); with --agents, shows how that
    staffing performs. Erlang C by default; Erlang A with --patience, where
    callers who hang up count as not answered.

    Example: wfm erlang --contacts 100 --interval-minutes 30 --aht 180 --json
    """
    _check(contacts, interval_minutes, aht, service_level, answer_seconds, concurrency, patience)
    _check_more(max_occupancy, shrinkage, agents)
    traffic = float(traffic_erlangs(contacts, aht, interval_minutes))
    if traffic > MAX_TRAFFIC_ERLANGS:
        raise InputError(
            f"--contacts: {contacts:g} contacts of {aht:g} s in {interval_minutes:g} min is {traffic:,.0f} Erlangs, "
            f"got more than the {MAX_TRAFFIC_ERLANGS:,.0f} wfm models (use a shorter interval)"
        )
    answer = staff_interval(
        contacts, interval_minutes, aht, service_level, answer_seconds, concurrency, patience, max_occupancy, shrinkage, agents
    )
    if as_json:
        typer.echo(json.dumps(answer.as_json()))
    else:
        console.print(_table(answer, shrinkage))


def _check(
    contacts: float,
    interval_minutes: float,
    aht: float,
    service_level: float,
    answer_seconds: float,
    concurrency: int,
    patience: float | None,
) -> None:
    """One `--option: expected ..., got VALUE` line for the first bad value."""
    if not (math.isfinite(contacts) and contacts >= 0):
        raise InputError(f"--contacts: expected a number of contacts ≥ 0, got {contacts:g}")
    if not (math.isfinite(interval_minutes) and interval_minutes > 0):
        raise InputError(f"--interval-minutes: expected a positive number of minutes, got {interval_minutes:g}")
    if not (math.isfinite(aht) and aht > 0):
        raise InputError(f"--aht: expected a positive number of seconds, got {aht:g}")
    if not 0 < service_level < 1:
        raise InputError(f"--service-level: expected a fraction between 0 and 1, got {service_level:g} (e.g. 0.8)")
    if not (math.isfinite(answer_seconds) and answer_seconds >= 0):
        raise InputError(f"--answer-seconds: expected a number of seconds ≥ 0, got {answer_seconds:g}")
    if concurrency < 1:
        raise InputError(f"--concurrency: expected a whole number ≥ 1, got {concurrency}")
    if patience is not None and not (patience > 0):
        raise InputError(f"--patience: expected a positive number of seconds, got {patience:g} (omit it for Erlang C)")


def _check_more(max_occupancy: float | None, shrinkage: float, agents: int | None) -> None:
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise InputError(f"--max-occupancy: expected a fraction above 0 and at most 1, got {max_occupancy:g}")
    if not 0 <= shrinkage < 1:
        raise InputError(f"--shrinkage: expected a fraction from 0 up to (not including) 1, got {shrinkage:g}")
    if agents is not None and agents < 0:
        raise InputError(f"--agents: expected a whole number of agents ≥ 0, got {agents}")


def _table(answer: IntervalStaffing, shrinkage: float) -> Table:
    result, cap = answer.staffing, answer.max_occupancy
    model = "Erlang A" if answer.model == "erlang_a" else "Erlang C"
    title = f"{model}: {'fewest agents meeting the target' if answer.sized else 'the given staffing'}"
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("traffic", f"{result.traffic_erlangs:.2f} Erlangs")
    table.add_row("agents on queue", str(result.agents))
    if shrinkage > 0:
        table.add_row(f"agents with {shrinkage:.0%} shrinkage", str(answer.agents_with_shrinkage))
    if result.servers != result.agents:
        table.add_row("servers (agents × concurrency)", str(result.servers))
    level = f"{result.service_level:.1%}  (target {answer.service_level_target:.0%})"
    table.add_row(f"service level ({answer.answer_seconds:g} s)", level)
    asa = f"{result.asa_seconds:.1f} s" if math.isfinite(result.asa_seconds) else "unbounded (too few agents)"
    table.add_row("average speed of answer", asa)
    occupancy = f"{result.occupancy:.1%}" + (f"  (cap {cap:.0%})" if cap < 1 else "")
    table.add_row("occupancy", occupancy)
    table.add_row("probability of waiting", f"{result.probability_wait:.1%}")
    if result.abandon_rate is not None:
        table.add_row("abandon rate", f"{result.abandon_rate:.1%}")
    table.add_row("meets target", "yes" if answer.meets_target else "no")
    return table


def register(app: typer.Typer) -> None:
    app.command("erlang")(erlang)
