"""`wfm forecast`: contacts and handle time per queue and interval of the plan week → forecast.csv.

Thin on purpose: checks and models live in `wfm.history` and `wfm.forecast`; this parses, calls
them, writes the file through a staging folder (nothing half-written; a previous forecast stays
intact on failure) and prints a summary; with --backtest also the accuracy of each model, the
prediction interval's coverage and the intraday re-forecast on past weeks (DIR/backtest.csv).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from wfm.cli.common import console, err_console, guarded, in_options, parse_week
from wfm.errors import InputError, Note
from wfm.forecast import (
    BACKTEST_MODELS,
    INTRADAY_TIMES,
    QueueForecast,
    forecast_queues,
    intraday_columns,
    pooled_coverage,
    pooled_intraday,
    pooled_wape,
)
from wfm.forecast import backtest as run_backtest
from wfm.forecast.models import DEFAULT_MODEL, check_model, model_names
from wfm.history import FILL_GAPS, FillGaps, check_fill_gaps
from wfm.outputs import staged_output, write_forecast, write_frame
from wfm.workspace import Workspace, load_workspace


@guarded
def forecast(
    workspace: Annotated[Path, typer.Argument(help="The workspace folder (wfm.toml, history.csv, special_days.csv).")],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Folder to write forecast.csv into (created if missing).")],
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            metavar="DATE",
            help="Monday the plan week starts (UTC date, e.g. 2026-11-30); default: wfm.toml, then the Monday after the history.",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            metavar="NAME",
            help=f"Force one model for every queue: {', '.join(model_names())} (default: {DEFAULT_MODEL}).",
        ),
    ] = None,
    backtest: Annotated[
        bool,
        typer.Option(
            "--backtest",
            help="Also print each model's week-ahead WAPE per queue over the weeks before the plan week, how often the "
            "80% prediction interval held what was counted, and how the --now re-forecast at 10:00 and 12:00 (queue's "
            "clock) did on those afternoons against the week-ahead forecast; the figures go to DIR/backtest.csv too.",
        ),
    ] = False,
    backtest_weeks: Annotated[int, typer.Option("--backtest-weeks", metavar="N", help="Weeks scored by --backtest.")] = 8,
    fill_gaps: Annotated[
        str | None,
        typer.Option(
            "--fill-gaps",
            metavar="HOW",
            help=f"How to read missing history intervals the queue usually reports: {' or '.join(FILL_GAPS)} "
            "(no contacts / data lost: left out of learning). Default: stop with an error naming the first one.",
        ),
    ] = None,
    now: NowOpt = None,
) -> None:
    """Forecast contacts and AHT for every queue and interval of the plan week.

    Patterns are learned in each queue's customer clock (its timezone), so
    they follow DST; special_days.csv scales the plan week and its dates are
    kept out of learning. The default model picks, per queue, what
    forecast the recent weeks best. Writes DIR/forecast.csv: queue,
    interval_start (UTC), contacts, aht_seconds, contacts_p10, contacts_p90;
    with --backtest also DIR/backtest.csv, one row per model and queue.

    Example: wfm forecast forecasts/global-support --out plan --backtest
    """
    plan_week = parse_week(week)
    name = check_model(model) if model is not None else None
    how = check_fill_gaps(fill_gaps)
    at = parse_now(now)
    if backtest_weeks < 1:
        raise InputError(f"--backtest-weeks: expected a number of weeks ≥ 1, got {backtest_weeks}")
    ws = load_workspace(workspace)
    results = forecast_queues(ws, plan_week, model=name, fill_gaps=how, now=at)
    monday = pd.Timestamp(results[0].frame["interval_start"].iloc[0]).date() if results else ws.plan_week(plan_week)
    scores = _print_backtest(ws, monday, backtest_weeks, name, how) if backtest else None
    frame = pd.concat([result.frame for result in results], ignore_index=True)
    with staged_output(out) as stage:
        write_forecast(frame, stage)
        if scores is not None:
            write_frame(scores, stage / "backtest.csv")
    print_notes([note for result in results for note in result.notes], forecast)
    console.print(_summary_table(results, monday, ws.plan.interval_minutes))
    _print_intraday(results)
    console.print(f"wrote {out / 'forecast.csv'}", markup=False, soft_wrap=True)
    if scores is not None:
        console.print(f"wrote {out / 'backtest.csv'}", markup=False, soft_wrap=True)


def _print_backtest(ws: Workspace, monday: dt.date, weeks: int, name: str | None, how: FillGaps | None) -> pd.DataFrame:
    """--backtest: score the models and the intraday re-forecast over `weeks` weeks before `monday`, print them."""
    models = list(BACKTEST_MODELS) + ([name] if name and name not in BACKTEST_MODELS else [])
    with err_console.status(f"backtesting {len(models)} models and the intraday re-forecast over {weeks} weeks"):
        last = monday - dt.timedelta(days=7)
        scores = run_backtest(ws, weeks, models, last_week=last, fill_gaps=how, interval_model=name or DEFAULT_MODEL)
    console.print(_backtest_table(scores, monday))
    console.print(_coverage_line(scores), markup=False, soft_wrap=True)
    for time_of_day in INTRADAY_TIMES:
        console.print(_intraday_line(scores, time_of_day), markup=False, soft_wrap=True)
    return scores


def _print_intraday(results: Sequence[QueueForecast]) -> None:
    """--now: how today has gone so far, per queue, against the week-ahead forecast."""
    for result in results:
        if result.intraday is not None:
            day = result.intraday
            console.print(
                f"{result.queue}: today so far {day.actual:,.0f} contacts against {day.forecast:,.0f} forecast; "
                f"the rest of today × {day.ratio:.3f}",
                markup=False,
                soft_wrap=True,
            )


NowOpt = Annotated[
    str | None,
    typer.Option(
        "--now",
        metavar="TIME",
        help="Re-plan during the week (ISO-8601 with offset, e.g. 2026-12-02T12:00+01:00): history before TIME is known, "
        "intervals before it keep what was counted, the rest of today follows how today has gone.",
    ),
]


def parse_now(text: str | None) -> dt.datetime | None:
    """The --now option: an ISO-8601 time with an offset or Z."""
    if text is None:
        return None
    try:
        value: dt.datetime | None = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise InputError(f"--now: expected an ISO-8601 time with offset or Z like 2026-12-02T12:00:00+01:00, got {text!r}")
    return value


def print_notes(notes: list[str] | tuple[str, ...], command: Callable[..., object]) -> None:
    """What the forecast stage noted about the history, one `note:` line each on stderr, a
    setting a note names called by `command`'s option where it has one (`in_options`)."""
    for note in dict.fromkeys(notes):
        line = in_options(note, command) if isinstance(note, Note) else note
        err_console.print(f"note: {line}", markup=False)


def _summary_table(results: Sequence[QueueForecast], monday: dt.date, interval_minutes: int) -> Table:
    table = Table(title=f"Forecast, week of {monday} ({interval_minutes}-minute intervals, UTC)")
    table.add_column("queue")
    table.add_column("model")
    table.add_column("contacts", justify="right")
    table.add_column("peak / interval", justify="right")
    table.add_column("AHT s", justify="right")
    table.add_column("error beyond Poisson", justify="right")
    for result in results:
        table.add_row(
            result.queue,
            result.model,
            f"{result.contacts:,.0f}",
            f"{result.frame['contacts'].max():,.1f}",
            f"{result.aht_seconds:,.0f}",
            f"{result.day_level_cv:.1%}",
        )
    return table


def _backtest_table(scores: pd.DataFrame, monday: dt.date) -> Table:
    """Queues down, models across; each queue's best model in bold."""
    weeks = int(scores["weeks"].max()) if not scores.empty else 0
    table = Table(title=f"Week-ahead WAPE over the {weeks} weeks before {monday} (lower is better)")
    models = list(dict.fromkeys(scores["model"]))
    table.add_column("queue", no_wrap=True)
    for model in models:
        table.add_column(model.replace("_", " "), justify="right", overflow="fold")
    rows = [(str(queue), group.set_index("model")["wape"]) for queue, group in scores.groupby("queue", sort=False)]
    rows.append(("all queues", pooled_wape(scores)))
    for queue, wape in rows:
        best = wape.min()
        cells = []
        for model in models:
            value = wape.get(model)
            if value is None or value != value:
                cells.append("–")
            else:
                cells.append(f"[bold]{value:.1%}[/bold]" if value == best else f"{value:.1%}")
        table.add_row(queue, *cells)
    return table


def _coverage_line(scores: pd.DataFrame) -> str:
    """How often the default model's 80% interval held what was counted, per queue."""
    pooled = pooled_coverage(scores)
    if pooled is None:
        return "80% prediction interval: no busy intervals (forecast ≥ 10 contacts) to judge it on"
    rated = scores[scores["busy_intervals"] > 0]
    parts = [f"{row.queue} {row.coverage:.0%}" for row in rated.itertuples()]
    return f"80% prediction interval ({rated['model'].iloc[0]}) held {pooled:.0%} of busy intervals: " + ", ".join(parts)


def _intraday_line(scores: pd.DataFrame, at: dt.time) -> str:
    """How the --now re-forecast at local time `at` did on the rest of those days, against the
    week-ahead forecast of the same intervals, pooled and per queue."""
    clock = at.strftime("%H:%M")
    pooled = pooled_intraday(scores, at)
    if pooled is None:
        return f"Re-forecast at {clock} (queue's clock): no day with contacts counted after {clock} to judge it on"
    days, _, _, _, ratio = intraday_columns(at)
    rated = scores[scores[days] > 0]
    parts = [f"{row['queue']} {row[ratio]:.3f} ×" for _, row in rated.iterrows()]
    return (
        f"Re-forecast at {clock} (queue's clock, {rated['model'].iloc[0]}), the rest of {pooled['days']:.0f} queue-days: "
        f"WAPE {pooled['wape']:.1%} against the week-ahead's {pooled['week_ahead_wape']:.1%} "
        f"({pooled['ratio']:.3f} ×): " + ", ".join(parts)
    )


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast)
