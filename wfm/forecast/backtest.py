"""Backtests: week-ahead accuracy of the forecasting models on past weeks, how often the 80%
prediction interval held what was counted, the intraday re-forecast (`--now`) replayed on the
same weeks, and the pooled figures over queues that `wfm forecast --backtest` prints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.forecast.grid import DAY_NS, MINUTE_NS, WEEK_NS, QueueSeries
from wfm.forecast.intervals import BUSY_CONTACTS, count_quantiles, fit_cv
from wfm.forecast.models import DEFAULT_MODEL, MODELS, ContactModel, PastWeeks, check_model
from wfm.forecast.pipeline import MIN_HISTORY_DAYS, _queue_series, _special_factors, reforecast
from wfm.timegrid import week_start
from wfm.workspace import Workspace

# Local times of day (the queue's clock) at which the backtest replays `--now`.
INTRADAY_TIMES = (dt.time(10, 0), dt.time(12, 0))
_SCORE_COLUMNS = ("model", "queue", "weeks", "contacts", "abs_error", "wape", "busy_intervals", "coverage")


def intraday_columns(at: dt.time) -> tuple[str, str, str, str, str]:
    """The backtest's columns for the re-forecast at local time `at` (e.g. now_1000_ratio):
    days replayed, afternoon contacts, the week-ahead forecast's and the re-forecast's absolute
    error on those afternoons, and the re-forecast's error as a multiple of the week-ahead's."""
    key = f"now_{at.hour:02d}{at.minute:02d}"
    return (f"{key}_days", f"{key}_contacts", f"{key}_week_ahead_error", f"{key}_abs_error", f"{key}_ratio")


def backtest(
    ws: Workspace,
    weeks: int = 8,
    models: Sequence[str] | Mapping[str, Callable[[], ContactModel]] | None = None,
    *,
    last_week: dt.date | None = None,
    fill_gaps: str | None = None,
    interval_model: str | None = DEFAULT_MODEL,
    intraday_at: Sequence[dt.time] = INTRADAY_TIMES,
) -> pd.DataFrame:
    """Week-ahead accuracy on past weeks: each of `weeks` plan weeks forecast from the history before it.

    `models` are names (default: `BACKTEST_MODELS`) or a mapping of label → model factory for
    experiments. The weeks end with `last_week` (a Monday; default: the last week the history
    covers completely). Intervals with unknown contacts and special days are not scored. Returns the
    columns model, queue, weeks, contacts, abs_error, wape (abs_error / contacts), one row per
    model and queue; pooled WAPE over queues is sum(abs_error) / sum(contacts). For
    `interval_model` (when scored) also busy_intervals (forecast ≥ BUSY_CONTACTS) and coverage,
    the share of them inside the 80% prediction interval; 0 and NaN for the other models.

    For `interval_model` the intraday re-forecast is replayed too: on every local day of the
    scored weeks, at each local time of `intraday_at` in the queue's clock, the plan week is
    re-forecast as `wfm forecast --now` does it (`wfm.forecast.pipeline.reforecast`, from the
    rows before that time), and it and the week-ahead forecast are scored on the rest of that
    local day (the afternoon), where contacts are known. Columns per time: `intraday_columns`;
    the ratio is the re-forecast's afternoon error ÷ the week-ahead forecast's (below 1: the
    update helped). 0 and NaN for the other models.
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
        for row in _score_queue(ws, series[queue.name], queue.name, starts, factories, interval_model, intraday_at)
    ]
    if not rows or all(row["weeks"] == 0 for row in rows):
        raise InputError(
            f"backtest: no week ending by {last_week + dt.timedelta(days=6)} has both a week of history before it "
            f"and known contacts (give more history or another last week)"
        )
    columns = [*_SCORE_COLUMNS, *(column for at in intraday_at for column in intraday_columns(at))]
    return pd.DataFrame(rows, columns=columns)


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
    intraday_at: Sequence[dt.time] = (),
) -> list[dict[str, Any]]:
    """One queue's backtest rows, one per model: the weeks starting at `starts` (UTC ns) forecast
    from the history before each."""
    names = list(factories)
    rows: list[dict[str, Any]] = []
    errors = dict.fromkeys(names, 0.0)
    held = dict.fromkeys(names, 0)
    counted = dict.fromkeys(names, 0)
    afternoons = {at: _Afternoons() for at in intraday_at}
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
                cv = fit_cv(past.truth, past.forecast)
                low, high = count_quantiles(forecast, cv)
                busy = forecast >= BUSY_CONTACTS
                held[name] += int(((actual >= low) & (actual <= high))[busy].sum())
                counted[name] += int(busy.sum())
                if afternoons:
                    week = _Week(ws, one, start, fitted, past, cv)
                    _replay_intraday(week, factories[name], actual_ns, actual, afternoons)
    for name in names:
        wape = errors[name] / volume if volume > 0 else float("nan")
        coverage = held[name] / counted[name] if counted[name] else float("nan")
        row = {
            "model": name,
            "queue": queue,
            "weeks": scored,
            "contacts": volume,
            "abs_error": errors[name],
            "wape": wape,
            "busy_intervals": counted[name],
            "coverage": coverage,
        }
        for at, tally in afternoons.items():
            replayed = tally if name == interval_model else _Afternoons()
            row |= dict(zip(intraday_columns(at), replayed.figures(), strict=True))
        rows.append(row)
    return rows


@dataclass
class _Afternoons:
    """Running totals of the re-forecast at one time of day, over the days replayed."""

    days: int = 0
    contacts: float = 0.0
    week_ahead_error: float = 0.0
    abs_error: float = 0.0

    def figures(self) -> tuple[int, float, float, float, float]:
        ratio = self.abs_error / self.week_ahead_error if self.week_ahead_error > 0 else float("nan")
        return (self.days, self.contacts, self.week_ahead_error, self.abs_error, ratio)


class _Week:
    """One backtest week of the interval model as `forecast_queues` holds its plan week: the UTC
    grid, special-day factors, the week-ahead forecast, its past weeks and relative error."""

    def __init__(self, ws: Workspace, one: QueueSeries, start: int, fitted: ContactModel, past: PastWeeks, cv: float) -> None:
        self.one = one
        self.start = start
        self.end = start + WEEK_NS
        self.grid = np.arange(start, self.end, one.clock.interval_minutes * MINUTE_NS, dtype=np.int64)
        self.factors = _special_factors(ws.special_days, one, self.grid)
        self.week_ahead = fitted.predict_ns(self.grid) * self.factors
        self.past = past
        self.cv = cv


def _replay_intraday(
    week: _Week,
    make: Callable[[], ContactModel],
    actual_ns: np.ndarray,
    actual: np.ndarray,
    afternoons: Mapping[dt.time, _Afternoons],
) -> None:
    """`--now` at each time of `afternoons` on every local day of `week` with known contacts,
    scored beside the week-ahead forecast on the rest of that day."""
    one = week.one
    zone = ZoneInfo(one.clock.timezone)
    rows, _ = one.clock.cells(actual_ns)
    cells = np.searchsorted(week.grid, actual_ns)
    for row in np.unique(rows):
        day = one.clock.first_day + dt.timedelta(days=int(row))
        for at, tally in afternoons.items():
            now_ns = int(pd.Timestamp(dt.datetime.combine(day, at, tzinfo=zone)).value)
            rest = (rows == row) & (actual_ns >= now_ns)
            if not week.start <= now_ns < week.end or not rest.any():
                continue
            contacts, _, _, _ = reforecast(
                one, make, week.past, week.cv, week.grid, week.week_ahead, week.factors, now_ns, week.end
            )
            truth = actual[rest]
            tally.days += 1
            tally.contacts += float(truth.sum())
            tally.week_ahead_error += float(np.abs(week.week_ahead[cells[rest]] - truth).sum())
            tally.abs_error += float(np.abs(contacts[cells[rest]] - truth).sum())


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


def pooled_intraday(scores: pd.DataFrame, at: dt.time) -> dict[str, float] | None:
    """The re-forecast at local time `at` over all queues (of the model that was rated): days,
    afternoon WAPE of the week-ahead forecast and of the re-forecast, and their ratio; None when
    no day was replayed at that time."""
    days, contacts, week_ahead, error, _ = intraday_columns(at)
    if days not in scores.columns:
        return None
    rated = scores[scores[days] > 0]
    if rated.empty or rated[contacts].sum() <= 0:
        return None
    total = float(rated[contacts].sum())
    return {
        "days": float(rated[days].sum()),
        "week_ahead_wape": float(rated[week_ahead].sum()) / total,
        "wape": float(rated[error].sum()) / total,
        "ratio": float(rated[error].sum() / rated[week_ahead].sum()) if rated[week_ahead].sum() > 0 else float("nan"),
    }
