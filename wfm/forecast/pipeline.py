"""The forecast stage for a workspace: every queue, every UTC interval of the plan week.

History is checked and made regular (`wfm.history`), each queue is seen in its customers'
clock (`wfm.forecast.grid`), a model forecasts contacts and `AhtProfile` handle time, and the
plan week's special days scale the result. `backtest` scores models on past weeks the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.forecast.grid import DAY_NS, MINUTE_NS, WEEK_NS, QueueSeries, to_ns, utc_index
from wfm.forecast.models import DEFAULT_MODEL, MODELS, AhtProfile, Auto, ContactModel, check_model, make_model
from wfm.history import FillGaps, check_fill_gaps, prepare_history
from wfm.timegrid import week_start
from wfm.workspace import QueueConfig, SpecialDay, Workspace

FORECAST_COLUMNS = ("queue", "interval_start", "contacts", "aht_seconds")
MIN_HISTORY_DAYS = 7


@dataclass(frozen=True)
class QueueForecast:
    """One queue's plan-week forecast and the model that made it."""

    queue: str
    model: str
    frame: pd.DataFrame


def forecast_workspace(
    ws: Workspace,
    week: dt.date | None = None,
    *,
    model: str | None = None,
    fill_gaps: str | None = None,
) -> pd.DataFrame:
    """Forecast contacts and AHT for every queue and UTC interval of the plan week.

    Returns the columns queue, interval_start (datetime64[ns, UTC]; the plan week [Monday 00:00
    UTC, +7 days) at `ws.plan.interval_minutes`, each interval once per queue), contacts (≥ 0)
    and aht_seconds (> 0 everywhere). `frame.attrs["models"]` maps each queue to the model used.
    Only history before the plan week is used.
    """
    results = forecast_queues(ws, week, model=model, fill_gaps=fill_gaps)
    frame = pd.concat([result.frame for result in results], ignore_index=True)
    frame.attrs["models"] = {result.queue: result.model for result in results}
    return frame


def forecast_queues(
    ws: Workspace,
    week: dt.date | None = None,
    *,
    model: str | None = None,
    fill_gaps: str | None = None,
) -> list[QueueForecast]:
    """`forecast_workspace`, queue by queue, with the model each queue used."""
    name = check_model(model or DEFAULT_MODEL)
    plan_week = ws.plan_week(week)
    minutes = ws.plan.interval_minutes
    start = int(pd.Timestamp(week_start(plan_week)).value)
    end = start + WEEK_NS
    grid = np.arange(start, end, minutes * MINUTE_NS, dtype=np.int64)
    series = _queue_series(ws, fill_gaps)
    results = []
    for queue in ws.queues:
        one = _require(series, queue, start)
        history = one.matrix(start, end)
        fitted = make_model(name).fit(history)
        contacts = fitted.predict_ns(grid) * _special_factors(ws.special_days, one, grid)
        try:
            aht = AhtProfile().fit(history).predict_ns(grid)
        except InputError as exc:
            raise InputError(f"history.csv, queue {queue.name!r}: {exc}") from None
        used = f"{fitted.choice_.replace('+', ' + ')} (auto)" if isinstance(fitted, Auto) else name
        frame = pd.DataFrame({"queue": queue.name, "interval_start": utc_index(grid), "contacts": contacts, "aht_seconds": aht})
        results.append(QueueForecast(queue.name, used, frame))
    return results


def backtest(
    ws: Workspace,
    weeks: int = 8,
    models: Sequence[str] | Mapping[str, Callable[[], ContactModel]] | None = None,
    *,
    last_week: dt.date | None = None,
    fill_gaps: str | None = None,
) -> pd.DataFrame:
    """Week-ahead accuracy on past weeks: each of `weeks` plan weeks forecast from the history before it.

    `models` are names (default: `BACKTEST_MODELS`) or a mapping of label → model factory for
    experiments. The weeks end with `last_week` (a Monday; default: the last week the history
    covers completely). Intervals with unknown contacts and special days are not scored. Returns the
    columns model, queue, weeks, contacts, abs_error, wape (abs_error / contacts), one row per
    model and queue; pooled WAPE over queues is sum(abs_error) / sum(contacts).
    """
    factories = _factories(models)
    names = list(factories)
    if weeks < 1:
        raise InputError(f"backtest: weeks must be ≥ 1, got {weeks}")
    series = _queue_series(ws, fill_gaps)
    if not series:
        raise InputError("history.csv: no rows, so there is nothing to backtest")
    if last_week is None:
        history_end = max(one.end_ns for one in series.values())
        last_start = (history_end // DAY_NS - 7) * DAY_NS
        last_monday = pd.Timestamp(last_start, unit="ns", tz="UTC").date()
        last_week = last_monday - dt.timedelta(days=last_monday.weekday())
        if int(pd.Timestamp(week_start(last_week)).value) + WEEK_NS > history_end:
            last_week -= dt.timedelta(days=7)
    elif last_week.weekday() != 0:
        raise InputError(f"backtest: last_week must be a Monday, got {last_week}")
    starts = [int(pd.Timestamp(week_start(last_week - dt.timedelta(days=7 * back))).value) for back in range(weeks - 1, -1, -1)]
    rows = []
    for queue in ws.queues:
        if queue.name not in series:
            continue
        one = series[queue.name]
        errors = dict.fromkeys(names, 0.0)
        volume = 0.0
        scored = 0
        for start in starts:
            if start - one.first_ns < MIN_HISTORY_DAYS * DAY_NS:
                continue
            actual_ns, actual = one.actuals(start, start + WEEK_NS)
            if actual.size == 0:
                continue
            history = one.matrix(start, start + WEEK_NS)
            scored += 1
            volume += float(actual.sum())
            for name in names:
                forecast = factories[name]().fit(history).predict_ns(actual_ns)
                forecast = forecast * _special_factors(ws.special_days, one, actual_ns)
                errors[name] += float(np.abs(forecast - actual).sum())
        for name in names:
            wape = errors[name] / volume if volume > 0 else float("nan")
            rows.append(
                {"model": name, "queue": queue.name, "weeks": scored, "contacts": volume, "abs_error": errors[name], "wape": wape}
            )
    if not rows or all(row["weeks"] == 0 for row in rows):
        raise InputError(
            f"backtest: no week ending by {last_week + dt.timedelta(days=6)} has both a week of history before it "
            f"and known contacts (give more history or another last week)"
        )
    return pd.DataFrame(rows, columns=["model", "queue", "weeks", "contacts", "abs_error", "wape"])


BACKTEST_MODELS = ("seasonal_naive", "mean_4w", "median_6w", "recent_weeks", "median_profile", "holt_profile", DEFAULT_MODEL)


def _factories(models: Sequence[str] | Mapping[str, Callable[[], ContactModel]] | None) -> dict[str, Callable[[], ContactModel]]:
    if isinstance(models, Mapping):
        return dict(models)
    names = [check_model(name) for name in (models or BACKTEST_MODELS)]
    if not names:
        raise InputError("backtest: no models to score")
    return {name: MODELS[name] for name in names}


def _queue_series(ws: Workspace, fill_gaps: str | None) -> dict[str, QueueSeries]:
    fill: FillGaps | None = check_fill_gaps(fill_gaps)
    minutes = ws.plan.interval_minutes
    regular = prepare_history(ws.history, ws.queues, minutes, special_days=ws.special_days, fill_gaps=fill)
    series = {}
    for queue in ws.queues:
        rows = regular[regular["queue"] == queue.name]
        if not rows.empty:
            series[queue.name] = QueueSeries.from_frame(rows, queue.name, queue.timezone, minutes, ws.special_days)
    return series


def _require(series: dict[str, QueueSeries], queue: QueueConfig, start: int) -> QueueSeries:
    if queue.name not in series:
        raise InputError(
            f"history.csv: no rows for queue {queue.name!r} (a forecast needs at least {MIN_HISTORY_DAYS} days of its history)"
        )
    one = series[queue.name]
    days = (start - one.first_ns) / DAY_NS
    if days < MIN_HISTORY_DAYS:
        first = pd.Timestamp(one.first_ns, unit="ns", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
        got = f"{max(days, 0):.1f} days" if days > 0 else "none"
        raise InputError(
            f"history.csv, queue {queue.name!r}: a forecast needs at least {MIN_HISTORY_DAYS} days of history "
            f"before the plan week, got {got} (its history starts {first}; give older history or a later --week)"
        )
    return one


def _special_factors(special_days: Sequence[SpecialDay], series: QueueSeries, starts_ns: np.ndarray) -> np.ndarray:
    """Volume factor per interval from special days in the queue's clock; a queue's own row beats `*`."""
    factors = np.ones(starts_ns.size)
    if not special_days:
        return factors
    by_date: dict[dt.date, float] = {}
    for day in special_days:
        if day.queue == "*":
            by_date.setdefault(day.date, day.factor)
    for day in special_days:
        if day.queue == series.name:
            by_date[day.date] = day.factor
    rows, _ = series.clock.cells(to_ns(utc_index(starts_ns)))
    for date, factor in by_date.items():
        factors[rows == series.clock.row_of(date)] = factor
    return factors
