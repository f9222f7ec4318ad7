"""The forecast stage for a workspace: every queue, every UTC interval of the plan week.

History is checked and made regular (`wfm.history`), each queue is seen in its customers'
clock (`wfm.forecast.grid`), a model forecasts contacts and `AhtProfile` handle time, and the
plan week's special days scale the result. Each interval gets an 80% prediction interval of
what will be counted (`wfm.forecast.intervals`, calibrated on the model's own backtest weeks).
With `now`, history before it is known, also inside the plan week: intervals before it keep
their actual contacts, the rest of the week is forecast again from all history before now, and
the rest of today is scaled by how today has gone (`wfm.forecast.intraday`). `wfm.forecast.backtest` scores
models on past weeks the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.forecast.grid import DAY_NS, MINUTE_NS, WEEK_NS, QueueSeries, to_ns, utc_index
from wfm.forecast.intervals import count_quantiles, fit_cv
from wfm.forecast.intraday import LevelUpdate, fit_level_update
from wfm.forecast.models import DEFAULT_MODEL, MODELS, AhtProfile, Auto, ContactModel, PastWeeks, check_model, make_model
from wfm.history import FillGaps, check_fill_gaps, regular_history, utc_text
from wfm.timegrid import week_start
from wfm.workspace import QueueConfig, SpecialDay, Workspace

FORECAST_COLUMNS = ("queue", "interval_start", "contacts", "aht_seconds")
BAND_COLUMNS = ("contacts_p10", "contacts_p90")
MIN_HISTORY_DAYS = 7


@dataclass(frozen=True)
class Intraday:
    """What `now` changed for one queue: today's level ratio and the update it came from."""

    now: pd.Timestamp
    ratio: float  # applied to the rest of the queue's local today
    actual: float  # contacts counted today before now
    forecast: float  # the forecast of the same intervals by the model refitted at now
    update: LevelUpdate


@dataclass(frozen=True)
class QueueForecast:
    """One queue's plan-week forecast and the model that made it.

    `frame` has FORECAST_COLUMNS and BAND_COLUMNS. `day_level_cv` is the queue's relative
    forecast error beyond Poisson noise, measured on the model's backtest weeks: the count of
    an interval forecast at λ varies with standard deviation √(λ + (cv·λ)²); the prediction
    intervals are built from it. `notes` are lines a planner should read about the history.
    """

    queue: str
    model: str
    frame: pd.DataFrame
    day_level_cv: float = 0.0
    notes: tuple[str, ...] = ()
    intraday: Intraday | None = None

    @property
    def contacts(self) -> float:
        """Contacts forecast for the week."""
        return float(self.frame["contacts"].sum())

    @property
    def aht_seconds(self) -> float:
        """The week's handle time, weighted by contacts (the plain mean of a week without any)."""
        frame = self.frame
        contacts = frame["contacts"].sum()
        return float((frame["contacts"] * frame["aht_seconds"]).sum() / contacts if contacts > 0 else frame["aht_seconds"].mean())


def forecast_workspace(
    ws: Workspace,
    week: dt.date | None = None,
    *,
    model: str | None = None,
    fill_gaps: str | None = None,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """Forecast contacts and AHT for every queue and UTC interval of the plan week.

    Returns the columns queue, interval_start (datetime64[ns, UTC]; the plan week [Monday 00:00
    UTC, +7 days) at `ws.plan.interval_minutes`, each interval once per queue), contacts (≥ 0),
    aht_seconds (> 0 everywhere), contacts_p10 and contacts_p90 (the 80% prediction interval
    of the count, whole contacts). `frame.attrs`: "models" maps each queue to the model used,
    "day_level_cv" to its relative forecast error beyond Poisson (`QueueForecast`), "notes"
    lists what the history needed saying. Only history before the plan week is used, or with
    `now` (see `forecast_queues`) history before now.
    """
    results = forecast_queues(ws, week, model=model, fill_gaps=fill_gaps, now=now)
    frame = pd.concat([result.frame for result in results], ignore_index=True)
    frame.attrs["models"] = {result.queue: result.model for result in results}
    frame.attrs["day_level_cv"] = {result.queue: result.day_level_cv for result in results}
    frame.attrs["notes"] = list(dict.fromkeys(note for result in results for note in result.notes))
    return frame


def forecast_queues(
    ws: Workspace,
    week: dt.date | None = None,
    *,
    model: str | None = None,
    fill_gaps: str | None = None,
    now: dt.datetime | None = None,
) -> list[QueueForecast]:
    """`forecast_workspace`, queue by queue, with the model each queue used.

    `now` (timezone-aware) makes it an intraday re-forecast: history rows before it are known,
    even inside the plan week, and rows from it on are ignored. Intervals before now take the
    contacts counted (their interval collapses onto them; the forecast stays where nothing was
    counted); intervals from now on are forecast by the model fitted on all history before now,
    the rest of each queue's local today scaled by the shrunk level ratio of today so far
    against that forecast (`wfm.forecast.intraday`). Without `week`, the plan week is the one
    holding now.
    """
    name = check_model(model or DEFAULT_MODEL)
    now_ns = _now_ns(now)
    plan_week = week_at(ws, week, now)
    minutes = ws.plan.interval_minutes
    start = int(pd.Timestamp(week_start(plan_week)).value)
    end = start + WEEK_NS
    if now_ns is not None and not start <= now_ns < end:
        raise InputError(
            f"{{now}}: expected a time inside the plan week {utc_text(start)} to {utc_text(end)}, got {utc_text(now_ns)} "
            "(give {week} for the week holding it)",
            now="now",
            week="the plan week",
        )
    grid = np.arange(start, end, minutes * MINUTE_NS, dtype=np.int64)
    series, notes = _queue_series(ws, fill_gaps, now_ns)
    results = []
    for queue in ws.queues:
        one = _require(series, queue, start)
        history = one.matrix(start, end)
        fitted = make_model(name).fit(history)
        factors = _special_factors(ws.special_days, one, grid)
        contacts = fitted.predict_ns(grid) * factors
        past = fitted.past_weeks()
        cv = fit_cv(past.truth, past.forecast)
        try:
            aht = AhtProfile().fit(history if now_ns is None else one.matrix(now_ns, end)).predict_ns(grid)
        except InputError as exc:
            raise InputError(f"history.csv, queue {queue.name!r}: {exc}") from None
        used = f"{fitted.choice_.replace('+', ' + ')} (auto)" if isinstance(fitted, Auto) else name
        low, high = count_quantiles(contacts, cv)
        intraday = None
        if now_ns is not None:
            contacts, low, high, intraday = reforecast(one, MODELS[name], past, cv, grid, contacts, factors, now_ns, end)
        frame = pd.DataFrame(
            {
                "queue": queue.name,
                "interval_start": utc_index(grid),
                "contacts": contacts,
                "aht_seconds": aht,
                "contacts_p10": low,
                "contacts_p90": high,
            }
        )
        mine = tuple(note for note in notes if f"queue {queue.name!r}" in note)
        results.append(QueueForecast(queue.name, used, frame, cv, mine, intraday))
    return results


def reforecast(
    one: QueueSeries,
    make: Callable[[], ContactModel],
    past: PastWeeks,
    cv: float,
    grid: np.ndarray,
    week_ahead: np.ndarray,
    factors: np.ndarray,
    now_ns: int,
    end: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Intraday]:
    """The plan week at `now`: actuals before it; from it on the model refitted on all history
    before now, the rest of today scaled by today's shrunk level ratio against that refit.

    `make` gives the unfitted model, `past` and `cv` come from the week-ahead fit, `week_ahead`
    and `factors` are its forecast and special-day factors on `grid` (the plan week's UTC
    starts). Only rows of `one` before now are read, so the backtest replays it on past weeks.
    """
    rows, _ = one.clock.cells(grid)
    today_row, now_slot = (int(value[0]) for value in one.clock.cells(np.array([now_ns], dtype=np.int64)))
    before = grid < now_ns
    today = rows == today_row
    counted = np.full(grid.size, np.nan)
    lo, hi = np.searchsorted(one.starts_ns, [grid[0], now_ns])
    counted[np.searchsorted(grid, one.starts_ns[lo:hi])] = one.contacts[lo:hi]
    morning = today & before & ~np.isnan(counted)
    refit = make().fit(one.matrix(now_ns, end)).predict_ns(grid) * factors
    so_far = float(np.nansum(counted[morning]))
    expected = float(refit[morning].sum())
    update = fit_level_update(past, now_slot, cv)
    ratio = update.ratio(so_far, expected)
    rest = ~before & today
    contacts = week_ahead.copy()
    contacts[~before] = refit[~before]
    contacts[rest] *= ratio
    low, high = count_quantiles(contacts, cv)
    low[rest], high[rest] = count_quantiles(contacts[rest], update.cv)
    seen = before & ~np.isnan(counted)
    contacts[seen] = low[seen] = high[seen] = counted[seen]
    return contacts, low, high, Intraday(pd.Timestamp(now_ns, unit="ns", tz="UTC"), ratio, so_far, expected, update)


def _queue_series(ws: Workspace, fill_gaps: str | None, now_ns: int | None = None) -> tuple[dict[str, QueueSeries], list[str]]:
    """Each queue's regular history (before `now_ns` when given) and the notes about it."""
    fill: FillGaps | None = check_fill_gaps(fill_gaps)
    minutes = ws.plan.interval_minutes
    history = ws.history
    if now_ns is not None and not history.empty:
        history = history[to_ns(history["interval_start"]) < now_ns]
    regular = regular_history(history, ws.queues, minutes, special_days=ws.special_days, fill_gaps=fill)
    notes = list(regular.notes)
    series = {}
    for queue in ws.queues:
        rows = regular.frame[regular.frame["queue"] == queue.name]
        if not rows.empty:
            one = QueueSeries.from_frame(rows, queue.name, queue.timezone, minutes, ws.special_days)
            series[queue.name] = one
            if one.zero_days:
                notes.append(_zero_day_note(queue.name, one.zero_days))
    return series, notes


def _zero_day_note(queue: str, days: Sequence[dt.date]) -> str:
    listed = ", ".join(str(day) for day in days[:6]) + (f" and {len(days) - 6} more" if len(days) > 6 else "")
    plural = "s" if len(days) > 1 else ""
    return (
        f"history.csv, queue {queue!r}: {len(days)} day{plural} with no contacts where that weekday usually has "
        f"them ({listed}): kept out of learning and scoring as lost data (list a closure in special_days.csv)"
    )


def _now_ns(now: dt.datetime | None) -> int | None:
    if now is None:
        return None
    if now.tzinfo is None or now.utcoffset() is None:
        raise InputError(f"{{now}}: expected a time with an offset or Z, got {now.isoformat()}", now="now")
    return int(pd.Timestamp(now).tz_convert("UTC").value)


def week_at(ws: Workspace, week: dt.date | None, now: dt.datetime | None) -> dt.date:
    """The plan week with `now`: `week`, then wfm.toml, then the Monday (UTC) of the week holding now."""
    now_ns = _now_ns(now)
    if week is not None or now_ns is None or ws.plan.week is not None:
        return ws.plan_week(week)
    day = pd.Timestamp(now_ns, unit="ns", tz="UTC").date()
    return day - dt.timedelta(days=day.weekday())


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
            f"before the plan week, got {got} (its history starts {first}; give older history or a later {{week}})",
            week="plan week",
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
