"""Backtests: week-ahead accuracy of the forecasting models on past weeks, and the pooled
figures over queues that `wfm forecast --backtest` prints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.forecast.grid import DAY_NS, WEEK_NS, QueueSeries
from wfm.forecast.intervals import BUSY_CONTACTS, count_quantiles, fit_cv
from wfm.forecast.models import DEFAULT_MODEL, MODELS, ContactModel, check_model
from wfm.forecast.pipeline import MIN_HISTORY_DAYS, _queue_series, _special_factors
from wfm.timegrid import week_start
from wfm.workspace import Workspace


def backtest(
    ws: Workspace,
    weeks: int = 8,
    models: Sequence[str] | Mapping[str, Callable[[], ContactModel]] | None = None,
    *,
    last_week: dt.date | None = None,
    fill_gaps: str | None = None,
    interval_model: str | None = DEFAULT_MODEL,
) -> pd.DataFrame:
    """Week-ahead accuracy on past weeks: each of `weeks` plan weeks forecast from the history before it.

    `models` are names (default: `BACKTEST_MODELS`) or a mapping of label → model factory for
    experiments. The weeks end with `last_week` (a Monday; default: the last week the history
    covers completely). Intervals with unknown contacts and special days are not scored. Returns the
    columns model, queue, weeks, contacts, abs_error, wape (abs_error / contacts), one row per
    model and queue; pooled WAPE over queues is sum(abs_error) / sum(contacts). For
    `interval_model` (when scored) also busy_intervals (forecast ≥ BUSY_CONTACTS) and coverage,
    the share of them inside the 80% prediction interval; 0 and NaN for the other models.
    """
    factories = _factories(models)
    if weeks < 1:
        raise InputError(f"backtest: weeks must be ≥ 1, got {weeks}")
    series, _ = _queue_series(ws, fill_gaps)
    if not series:
        raise InputError("history.csv: no rows, so there is nothing to backtest")
    if last_week is None:
        last_week = _last_full_week(series)
    elif last_week.weekday() != 0:
        raise InputError(f"backtest: last_week must be a Monday, got {last_week}")
    starts = [int(pd.Timestamp(week_start(last_week - dt.timedelta(days=7 * back))).value) for back in range(weeks - 1, -1, -1)]
    rows = [
        row
        for queue in ws.queues
        if queue.name in series
        for row in _score_queue(ws, series[queue.name], queue.name, starts, factories, interval_model)
    ]
    if not rows or all(row["weeks"] == 0 for row in rows):
        raise InputError(
            f"backtest: no week ending by {last_week + dt.timedelta(days=6)} has both a week of history before it "
            f"and known contacts (give more history or another last week)"
        )
    return pd.DataFrame(rows, columns=["model", "queue", "weeks", "contacts", "abs_error", "wape", "busy_intervals", "coverage"])


BACKTEST_MODELS = ("seasonal_naive", "mean_4w", "median_6w", "recent_weeks", "median_profile", "holt_profile", DEFAULT_MODEL)


def _factories(models: Sequence[str] | Mapping[str, Callable[[], ContactModel]] | None) -> dict[str, Callable[[], ContactModel]]:
    if isinstance(models, Mapping):
        return dict(models)
    names = [check_model(name) for name in (models or BACKTEST_MODELS)]
    if not names:
        raise InputError("backtest: no models to score")
    return {name: MODELS[name] for name in names}


def _score_queue(
    ws: Workspace,
    one: QueueSeries,
    queue: str,
    starts: Sequence[int],
    factories: Mapping[str, Callable[[], ContactModel]],
    interval_model: str | None,
) -> list[dict[str, Any]]:
    """One queue's backtest rows, one per model: the weeks starting at `starts` (UTC ns) forecast
    from the history before each."""
    names = list(factories)
    rows: list[dict[str, Any]] = []
    errors = dict.fromkeys(names, 0.0)
    held = dict.fromkeys(names, 0)
    counted = dict.fromkeys(names, 0)
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
            fitted = factories[name]().fit(history)
            forecast = fitted.predict_ns(actual_ns) * _special_factors(ws.special_days, one, actual_ns)
            errors[name] += float(np.abs(forecast - actual).sum())
            if name == interval_model:
                past = fitted.past_weeks()
                low, high = count_quantiles(forecast, fit_cv(past.truth, past.forecast))
                busy = forecast >= BUSY_CONTACTS
                held[name] += int(((actual >= low) & (actual <= high))[busy].sum())
                counted[name] += int(busy.sum())
    for name in names:
        wape = errors[name] / volume if volume > 0 else float("nan")
        coverage = held[name] / counted[name] if counted[name] else float("nan")
        rows.append(
            {
                "model": name,
                "queue": queue,
                "weeks": scored,
                "contacts": volume,
                "abs_error": errors[name],
                "wape": wape,
                "busy_intervals": counted[name],
                "coverage": coverage,
            }
        )
    return rows


def _last_full_week(series: Mapping[str, QueueSeries]) -> dt.date:
    """The Monday of the last week the history covers completely."""
    history_end = max(one.end_ns for one in series.values())
    last_start = (history_end // DAY_NS - 7) * DAY_NS
    last_monday = pd.Timestamp(last_start, unit="ns", tz="UTC").date()
    last_week = last_monday - dt.timedelta(days=last_monday.weekday())
    if int(pd.Timestamp(week_start(last_week)).value) + WEEK_NS > history_end:
        last_week -= dt.timedelta(days=7)
    return last_week


def pooled_wape(scores: pd.DataFrame) -> pd.Series:
    """Per model (in the order scored), WAPE over all queues: sum(abs_error) / sum(contacts)."""
    pooled = scores.groupby("model", sort=False)[["abs_error", "contacts"]].sum()
    wape: pd.Series = pooled["abs_error"] / pooled["contacts"].where(pooled["contacts"] > 0)
    return wape.rename("wape")


def pooled_coverage(scores: pd.DataFrame) -> float | None:
    """The share of all busy intervals inside the 80% prediction interval (of the model that
    was rated), or None when no queue had a busy interval."""
    rated = scores[scores["busy_intervals"] > 0]
    if rated.empty:
        return None
    return float(rated["coverage"].mul(rated["busy_intervals"]).sum() / rated["busy_intervals"].sum())
