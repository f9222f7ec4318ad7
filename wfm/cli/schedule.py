"""`wfm schedule`: the roster for the plan week → roster.csv, coverage.csv, summary.json.

Thin on purpose: the stages live in `wfm.pipeline`; this parses, shows progress (stage names,
then the solver's best objective, bound and gap), writes through a staging folder and prints the
summary table, read from the typed `wfm.summary.PlanSummary`. The option checks, the progress
display and the summary table are shared with `wfm plan`, `wfm demo` and `wfm requirements`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from wfm.cli.common import console, err_console, guarded, parse_week
from wfm.cli.forecast import NowOpt, parse_now, print_notes
from wfm.errors import InputError
from wfm.pipeline import PlanResult, read_forecast, read_requirements, run_plan, write_plan
from wfm.roster import SolveSettings
from wfm.summary import PlanSummary, relative_gap
from wfm.workspace import load_workspace

DEFAULT_TIME_LIMIT = 60.0
_MAX_SEED = 2**31 - 1

# The options shared by the commands that run the weekly job, with their help text.
WorkspaceArg = Annotated[
    Path, typer.Argument(metavar="WORKSPACE", help="The workspace folder (wfm.toml, agents.csv, history.csv, special_days.csv).")
]
WeekOpt = Annotated[
    str | None,
    typer.Option(
        "--week",
        metavar="DATE",
        help="Monday the plan week starts (UTC date, e.g. 2026-11-30); default: wfm.toml, then the Monday after the history.",
    ),
]
TimeLimitOpt = Annotated[
    float, typer.Option("--time-limit", metavar="S", help="Seconds the roster solver may spend (it keeps the best roster found).")
]
SeedOpt = Annotated[
    int | None,
    typer.Option(
        "--seed",
        metavar="N",
        help="Seed of the solver's search (default 0). The same inputs, seed and --time-limit give the same roster,"
        " unless a machine too busy to do the solver's work within --time-limit stops it early (the summary says so).",
    ),
]
ModelOpt = Annotated[
    str | None,
    typer.Option("--model", metavar="NAME", help="Force one forecast model for every queue (see `wfm forecast --help`)."),
]
PreviousOpt = Annotated[
    Path | None,
    typer.Option(
        "--previous",
        metavar="PLAN_DIR",
        help="Last week's plan folder (its roster.csv): rest and runs of days hold across the boundary, its shifts"
        " past Monday 00:00 UTC staff this week. Default: [plan] previous in wfm.toml.",
    ),
]
PublishedOpt = Annotated[
    Path | None,
    typer.Option(
        "--published",
        metavar="PLAN_DIR",
        help="The plan already given to people for this week (its roster.csv): the new roster keeps every shift"
        " the changed inputs allow, and changes.csv lists what was kept, moved, added or removed."
        " With `plan --weeks`, a folder of DIR/<Monday>/ plans.",
    ),
]
FillGapsOpt = Annotated[
    str | None,
    typer.Option(
        "--fill-gaps",
        metavar="HOW",
        help="How to read missing history intervals: zero or skip (see `wfm forecast --help`). Default: stop with an error.",
    ),
]

_STAGE_TEXT = {
    "load": "reading the workspace",
    "forecast": "forecasting contacts and handle time",
    "requirements": "sizing staff per interval (Erlang)",
    "roster": "building the roster",
    "baseline": "scoring the greedy roster for comparison",
    "simulation": "simulating the week contact by contact",
    "summary": "summing up",
    "write": "writing the plan folder",
}


@guarded
def schedule(
    workspace: WorkspaceArg,
    out: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Folder for roster.csv, coverage.csv, summary.json (created if missing).")
    ],
    week: WeekOpt = None,
    time_limit: TimeLimitOpt = DEFAULT_TIME_LIMIT,
    seed: SeedOpt = None,
    forecast: Annotated[
        Path | None,
        typer.Option("--forecast", metavar="FILE", help="Use this forecast.csv instead of forecasting from history.csv."),
    ] = None,
    requirements: Annotated[
        Path | None,
        typer.Option(
            "--requirements",
            metavar="FILE",
            help="Use this requirements.csv (its agents column) instead of forecasting and sizing.",
        ),
    ] = None,
    model: ModelOpt = None,
    fill_gaps: FillGapsOpt = None,
    now: NowOpt = None,
    previous: PreviousOpt = None,
    published: PublishedOpt = None,
) -> None:
    """Build the roster for the plan week: shifts, breaks, lunch and queues for every agent.

    Forecasts and sizes staff first unless --forecast or --requirements is given. Writes
    DIR/roster.csv, coverage.csv and summary.json (plus the forecast.csv and requirements.csv
    it planned from), all or nothing: a failure leaves a previous plan intact. Ctrl-C during
    the solve keeps the best roster found so far. Exit 3 when the hard rules cannot all hold.
    With --published, a re-plan of a week already given to people: it keeps every shift it can
    and writes DIR/changes.csv.

    Example: wfm schedule forecasts/global-support --out plan --time-limit 120
    """
    if forecast is not None and requirements is not None:
        raise InputError("--forecast, --requirements: give one of them, not both")
    plan_week = parse_week(week)
    at = parse_now(now)
    settings = solve_settings(time_limit, seed)
    with PlanProgress(time_limit) as show:
        show.stage("load")
        ws = load_workspace(workspace, with_history=forecast is None and requirements is None)
        given_forecast = read_forecast(forecast) if forecast is not None else None
        given_requirements = read_requirements(requirements, ws) if requirements is not None else None
        result = run_plan(
            ws,
            plan_week,
            settings=settings,
            forecast_model=model,
            fill_gaps=fill_gaps,
            seed=seed or 0,
            forecast=given_forecast,
            requirements=given_requirements,
            progress=show.stage,
            solver_progress=show.solver,
            now=at,
            previous=previous,
            published=published,
        )
        show.stage("write")
        write_plan(result, ws, out, calendars=False, report=False)
    print_notes(plan_notes(result), schedule)
    print_summary(result, f"Roster, week of {result.week}")
    changed = ("changes.csv",) if result.changes is not None else ()
    say_written(out, ("roster.csv", "coverage.csv", "summary.json", "forecast.csv", "requirements.csv", *changed))


# ----------------------------------------------------------------------------- shared by the job commands


def solve_settings(time_limit: float, seed: int | None) -> SolveSettings:
    """SolveSettings from the command line, each bad value one `--option: ...` line."""
    if not (time_limit > 0 and time_limit < 7 * 24 * 3600):
        raise InputError(f"--time-limit: expected a number of seconds > 0, got {time_limit:g}")
    if seed is None:
        seed = 0
    if not 0 <= seed <= _MAX_SEED:
        raise InputError(f"--seed: expected a whole number from 0 to {_MAX_SEED}, got {seed}")
    return SolveSettings(time_limit=time_limit, seed=seed, deterministic=True)


class PlanProgress:
    """A status line on stderr: the stage, and while the roster is solved the best objective so
    far, CP-SAT's bound, the gap and the time used. Invisible when stderr is not a terminal."""

    def __init__(self, time_limit: float | None = None) -> None:
        self._time_limit = time_limit
        self._status = err_console.status(_STAGE_TEXT["load"])
        self._roster_started = time.perf_counter()

    def __enter__(self) -> PlanProgress:
        self._status.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._status.stop()

    def stage(self, name: str) -> None:
        if name == "roster":
            self._roster_started = time.perf_counter()
        self._status.update(_STAGE_TEXT.get(name, name))

    def solver(self, objective: float, bound: float, seconds: float) -> None:
        gap = relative_gap(objective, bound) or 0.0
        elapsed = time.perf_counter() - self._roster_started
        limit = f"/{self._time_limit:g}" if self._time_limit else ""
        # Short enough for an 80-column terminal.
        self._status.update(
            f"roster: best {objective:,.0f}, bound {bound:,.0f}, gap {gap:.1%}, {elapsed:.0f}{limit} s; Ctrl-C keeps the best"
        )


def plan_notes(result: PlanResult) -> list[str]:
    """The forecast's notes, then the previous week's agents skipped (the first days it limited
    are on the plan line)."""
    previous = result.plan_summary.previous
    skipped = [note for note in previous.notes if "skipped" in note] if previous is not None else []
    return [*result.forecast.attrs.get("notes", []), *skipped]


def print_summary(result: PlanResult, title: str) -> None:
    """The per-queue table (service level vs target, intervals on target; the greedy roster's
    when present) and one line of plan figures (paid hours, agents, solver status and gap)."""
    summary = result.plan_summary
    console.print(summary_table(summary, title))
    console.print(plan_line(summary), markup=False, soft_wrap=True)


def summary_table(summary: PlanSummary, title: str) -> Table:
    greedy = summary.baseline.queues if summary.baseline is not None else {}
    table = Table(title=title, title_justify="left")
    table.add_column("queue")
    table.add_column("contacts", justify="right")
    table.add_column("service level", justify="right")
    table.add_column("target", justify="right")
    table.add_column("intervals on target", justify="right")
    if greedy:
        table.add_column("greedy SL", justify="right")
        table.add_column("greedy on target", justify="right")
    for name, queue in summary.queues.items():
        level = queue.service_level
        target = queue.target
        marked = _pct(level) if level is None or level >= target - 1e-9 else f"[red]{_pct(level)}[/red]"
        row = [name, f"{queue.contacts or 0:,.0f}", marked, f"{target:.0%}", _pct(queue.intervals_meeting_target)]
        if greedy:
            other = greedy.get(name)
            row += [_pct(other.service_level), _pct(other.intervals_meeting_target)] if other else [_pct(None), _pct(None)]
        table.add_row(*row)
    return table


def plan_line(summary: PlanSummary) -> str:
    solver = summary.solver
    parts = [f"paid hours {summary.paid_hours:,.1f}"]
    if summary.lower_bound_paid_hours is not None:
        parts[-1] += f" (lower bound {summary.lower_bound_paid_hours:,.1f}"
        baseline = summary.baseline
        parts[-1] += f", greedy {baseline.paid_hours:,.1f})" if baseline else ")"
    parts.append(f"agents used {summary.headcount_used} of {len(summary.agents)}")
    gap = _pct(solver.gap) if solver.gap is not None else "not known"
    parts.append(
        f"solver {solver.status}, gap to the relaxation {gap}, {solver.seconds or 0:.1f} s"
        + (f", seed {solver.seed}" if solver.seed is not None else "")
        + (", not repeatable (stopped by the clock)" if solver.repeatable is False else "")
    )
    requests = summary.requests
    if requests is not None:
        parts.append(
            "requests granted: "
            + ", ".join(
                f"{kind} {count.granted}/{count.granted + count.denied}"
                for kind, count in (("leave", requests.leave), ("off", requests.off), ("on", requests.on))
            )
        )
    if summary.previous is not None:
        parts.append(
            f"previous week: {summary.previous.agents_limited} agents' first days limited by rest or runs,"
            f" {summary.previous.spill_over_hours:,.1f} on-queue hours spill over"
        )
    changes = summary.changes
    if changes is not None:
        parts.append(
            f"published shifts: kept {changes.kept}, moved {changes.moved}, added {changes.added}, removed {changes.removed}"
        )
    return "; ".join(parts)


def say_written(out: Path, names: Sequence[str]) -> None:
    console.print(f"wrote {', '.join(names)} in {out}", markup=False, soft_wrap=True)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def register(app: typer.Typer) -> None:
    app.command("schedule")(schedule)
