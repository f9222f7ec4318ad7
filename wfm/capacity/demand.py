"""Demand over the horizon: contacts and Erlang-required on-queue hours per queue and week.

The forecast stage (`wfm.forecast`) gives the first week's interval forecast; it is the
representative week. Week k repeats it in each queue's own clock (so a DST change moves the
intraday shape with the customers, not with UTC), scaled by the week's level:

    contacts[k, interval] = base[interval] × (1 + growth)^(months to week k) × factor × queue factor
                            × (1 − deflection) × special days × peaks

Special days (special_days.csv) and peaks apply to local dates in the queue's clock. Then the
requirements stage (`wfm.requirements.compute_requirements`) sizes every interval of every week
at once, vectorised: Erlang is not linear in volume, so scaling a week's contacts and sizing
them again is right, where scaling required hours would not be. Email is levelled over one
continuous timeline, so a Sunday's emails carry into Monday. `required_hours` sums
`agents_with_shrinkage` × interval hours, as requirements.csv sums them, so the first week
matches `wfm requirements` for that week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.capacity.config import DAYS_PER_MONTH, CapacityConfig
from wfm.forecast import forecast_workspace
from wfm.requirements import compute_requirements
from wfm.timegrid import week_start
from wfm.workspace import SpecialDay, Workspace

CAPACITY_COLUMNS = ("week", "queue", "contacts", "required_hours", "short_hours")
"""capacity.csv: week (Monday), queue, contacts, required_hours (on-queue hours Erlang requires,
grossed up for shrinkage), short_hours (of them, the hours the plan's staff cannot cover)."""


@dataclass(frozen=True)
class Demand:
    """Weekly demand: arrays are weeks × queues, in the order of `weeks` and `queues`."""

    weeks: tuple[dt.date, ...]
    queues: tuple[str, ...]
    contacts: np.ndarray
    required_hours: np.ndarray
    forecast_models: dict[str, str]


def horizon_weeks(start: dt.date, weeks: int) -> tuple[dt.date, ...]:
    return tuple(start + dt.timedelta(days=7 * k) for k in range(weeks))


def volume_levels(config: CapacityConfig, queues: Sequence[str], weeks: int) -> np.ndarray:
    """weeks × queues multipliers from growth (compounding monthly from the first Monday),
    the factors and deflection; week 0 is 1 unless a factor or deflection says otherwise."""
    volume = config.volume
    months = np.arange(weeks) * 7.0 / DAYS_PER_MONTH
    out = np.empty((weeks, len(queues)))
    for j, name in enumerate(queues):
        own = volume.queues.get(name)
        growth = own.growth_per_month if own is not None and own.growth_per_month is not None else volume.growth_per_month
        factor = volume.factor * (own.factor if own is not None else 1.0) * (1.0 - (own.deflection if own is not None else 0.0))
        out[:, j] = factor * (1.0 + growth) ** months
    return out


def day_factors(local_dates: np.ndarray, queue: str, special_days: Sequence[SpecialDay], config: CapacityConfig) -> np.ndarray:
    """Per interval (its local date in the queue's clock): special days (a queue's own row beats
    `*`, as the forecast stage reads them) times every peak covering that date."""
    factors = np.ones(local_dates.size)
    by_date: dict[dt.date, float] = {}
    for day in special_days:
        if day.queue == "*":
            by_date.setdefault(day.date, day.factor)
    by_date.update({day.date: day.factor for day in special_days if day.queue == queue})
    for date, factor in by_date.items():
        factors[local_dates == np.datetime64(date, "D")] *= factor
    for peak in config.peak:
        if peak.queues and queue not in peak.queues:
            continue
        inside = (local_dates >= np.datetime64(peak.from_, "D")) & (local_dates <= np.datetime64(peak.last_day, "D"))
        factors[inside] *= peak.factor
    return factors


def _local(stamps: pd.DatetimeIndex, timezone: str) -> pd.DatetimeIndex:
    return stamps.tz_convert(timezone).tz_localize(None)


def _slot_table(local: pd.DatetimeIndex, values: np.ndarray, interval_minutes: int) -> np.ndarray:
    """The representative week by local slot of the week (weekday × slot of day); a slot the
    first week skipped (clocks going forward) takes the slot before it."""
    per_day = 1440 // interval_minutes
    slots = _slots(local, interval_minutes)
    table = np.full(7 * per_day, np.nan)
    table[slots[::-1]] = values[::-1]  # clocks going back: the first of the two intervals wins
    missing = np.isnan(table)
    if missing.any():
        known = np.flatnonzero(~missing)
        # Nearest known slot before (cyclically) each missing one.
        position = np.searchsorted(known, np.flatnonzero(missing), side="right") - 1
        table[missing] = table[known[position]]  # position −1 wraps to the last known slot
    return table


def _slots(local: pd.DatetimeIndex, interval_minutes: int) -> np.ndarray:
    per_day = 1440 // interval_minutes
    minutes = local.hour.to_numpy() * 60 + local.minute.to_numpy()
    return np.asarray(local.day_of_week.to_numpy() * per_day + minutes // interval_minutes, dtype=np.int64)


def horizon_forecast(base: pd.DataFrame, ws: Workspace, config: CapacityConfig, start: dt.date, weeks: int) -> pd.DataFrame:
    """forecast.csv columns for every interval of the horizon (see the module docstring).

    `base` is the first week's forecast without special days; special days and peaks are
    applied here to every week, the first included.
    """
    minutes = ws.plan.interval_minutes
    names = [queue.name for queue in ws.queues]
    levels = volume_levels(config, names, weeks)
    first = pd.Timestamp(week_start(start))
    frames = []
    for j, queue in enumerate(ws.queues):
        rows = base[base["queue"] == queue.name].sort_values("interval_start")
        stamps = pd.DatetimeIndex(rows["interval_start"])
        contacts = rows["contacts"].to_numpy(dtype=float)
        aht = rows["aht_seconds"].to_numpy(dtype=float)
        per_week = stamps.size
        offsets = (stamps - first).to_numpy()
        all_stamps = pd.DatetimeIndex(
            first + pd.to_timedelta(np.tile(offsets, weeks)) + pd.to_timedelta(np.repeat(np.arange(weeks) * 7, per_week), "D")
        )
        local = _local(all_stamps, queue.timezone)
        table_c = _slot_table(local[:per_week], contacts, minutes)
        table_a = _slot_table(local[:per_week], aht, minutes)
        slots = _slots(local, minutes)
        week_contacts = table_c[slots]
        week_aht = table_a[slots]
        # The first week is the forecast itself, interval by interval (no slot lookup).
        week_contacts[:per_week] = contacts
        week_aht[:per_week] = aht
        week_of_row = np.repeat(np.arange(weeks), per_week)
        dates = local.normalize().to_numpy().astype("datetime64[D]")
        scaled = week_contacts * levels[week_of_row, j] * day_factors(dates, queue.name, ws.special_days, config)
        frames.append(
            pd.DataFrame({"queue": queue.name, "interval_start": all_stamps, "contacts": scaled, "aht_seconds": week_aht})
        )
    return pd.concat(frames, ignore_index=True)


def base_forecast(ws: Workspace, start: dt.date, weeks: int, model: str | None, fill_gaps: str | None) -> pd.DataFrame:
    """The first week's forecast from the forecast stage, without special days in the horizon
    (they are applied week by week in `horizon_forecast`). Special days before the horizon stay,
    so the history is read exactly as `wfm forecast` reads it."""
    horizon_first = start - dt.timedelta(days=1)  # a local date in a western clock can be the Sunday before
    kept = tuple(day for day in ws.special_days if day.date < horizon_first)
    plain = ws.model_copy(update={"special_days": kept})
    return forecast_workspace(plain, start, model=model, fill_gaps=fill_gaps)


def build_demand(
    ws: Workspace, config: CapacityConfig, start: dt.date, *, model: str | None = None, fill_gaps: str | None = None
) -> Demand:
    """Contacts and required on-queue hours per week and queue over the horizon."""
    weeks = config.horizon.weeks
    base = base_forecast(ws, start, weeks, model, fill_gaps)
    frame = horizon_forecast(base, ws, config, start, weeks)
    requirements = compute_requirements(frame, ws.queues, ws.plan.interval_minutes, ws.rules, ws.plan.shrinkage)
    hours = ws.plan.interval_minutes / 60
    first = pd.Timestamp(week_start(start))
    week_index = ((requirements["interval_start"] - first) // pd.Timedelta(days=7)).to_numpy(dtype=np.int64)
    names = tuple(queue.name for queue in ws.queues)
    queue_index = requirements["queue"].map({name: j for j, name in enumerate(names)}).to_numpy(dtype=np.int64)
    contacts = np.zeros((weeks, len(names)))
    required = np.zeros((weeks, len(names)))
    np.add.at(contacts, (week_index, queue_index), requirements["contacts"].to_numpy(dtype=float))
    np.add.at(required, (week_index, queue_index), requirements["agents_with_shrinkage"].to_numpy(dtype=float) * hours)
    return Demand(horizon_weeks(start, weeks), names, contacts, required, dict(base.attrs.get("models", {})))


def capacity_frame(demand: Demand, short_hours: np.ndarray) -> pd.DataFrame:
    """capacity.csv rows: one per week and queue."""
    weeks, queues = demand.contacts.shape
    return pd.DataFrame(
        {
            "week": np.repeat([week.isoformat() for week in demand.weeks], queues),
            "queue": np.tile(demand.queues, weeks),
            "contacts": demand.contacts.ravel().round(1),
            "required_hours": demand.required_hours.ravel().round(2),
            "short_hours": short_hours.ravel().round(2),
        },
        columns=list(CAPACITY_COLUMNS),
    )
