"""A sample world's contacts: intraday and weekly shapes in the customers' clock, the volume
calibrated to the staff, and history drawn around it.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.synth.model import SPECIAL_DAYS, SynthQueue, SynthSpecialDay
from wfm.timegrid import MINUTE_NS, week_start


def intraday_shape(queue: SynthQueue, local_hours: np.ndarray) -> np.ndarray:
    """Relative arrival rate at local time of day (hours, fractional), peak-normalised to ≈ 1."""
    rate = np.zeros_like(local_hours, dtype=float)
    for hour, width, weight in queue.peaks:
        distance = np.minimum(np.abs(local_hours - hour), 24 - np.abs(local_hours - hour))
        rate += weight * np.exp(-0.5 * (distance / width) ** 2)
    # Round-the-clock queues are never quite empty at night: a floor under the day's bumps.
    rate = np.maximum(rate, queue.night)
    if queue.open_hours is not None:
        opens, closes = queue.open_hours
        rate = np.where((local_hours >= opens) & (local_hours < closes), rate, 0.0)
    return rate


def expected_contacts(
    queue: SynthQueue,
    weekly_contacts: float,
    starts_ns: np.ndarray,
    interval_minutes: int,
    special_days: Sequence[SynthSpecialDay] = SPECIAL_DAYS,
) -> np.ndarray:
    """Mean contacts per UTC interval: weekly volume × weekday × intraday shape (customer clock) × special days."""
    local = pd.DatetimeIndex(starts_ns.view("datetime64[ns]")).tz_localize("UTC").tz_convert(zoneinfo.ZoneInfo(queue.timezone))
    middle = local.hour + (local.minute + interval_minutes / 2) / 60
    weekday = np.asarray(local.day_of_week)
    shape = intraday_shape(queue, np.asarray(middle, dtype=float))
    day = np.asarray(queue.weekly)[weekday]
    if queue.closed_weekdays:
        day = np.where(np.isin(weekday, queue.closed_weekdays), 0.0, day)
    # Normalise so that a typical week sums to `weekly_contacts` (a 24-hour day of this shape).
    hours = np.arange(0, 24, interval_minutes / 60) + interval_minutes / 120
    per_day = intraday_shape(queue, hours).sum()
    per_week = per_day * sum(0.0 if d in queue.closed_weekdays else queue.weekly[d] for d in range(7))
    mean = weekly_contacts * shape * day / per_week
    dates = np.asarray(local.date)
    for special in special_days:
        if queue.name in special.queues or "*" in special.queues:
            mean = np.where(dates == special.date, mean * special.factor, mean)
    return mean


def calibrate_volume(
    queues: Sequence[SynthQueue],
    plan_week: dt.date,
    interval_minutes: int,
    target_agents: float,
) -> dict[str, float]:
    """Weekly contacts per queue so that the plan week's peak on-queue requirement ≈ `target_agents`.

    Requirements are not linear in volume (square-root staffing), so the world's size is found
    by bisection on one scale for all queues.
    """
    grid = _week_grid(plan_week, interval_minutes)
    shapes = {queue.name: expected_contacts(queue, 1.0, grid, interval_minutes) for queue in queues}

    def peak(scale: float) -> float:
        total = np.zeros(grid.size)
        for queue in queues:
            total += required_agents(queue, shapes[queue.name] * scale * queue.share, interval_minutes)
        return float(total.max())

    low, high = 1.0, 1.0
    while peak(high) < target_agents:
        high *= 2
        if high > 1e9:
            raise InputError(f"make_world: cannot reach a peak of {target_agents:.0f} agents")
    while high - low > 1e-3 * high:
        middle = (low + high) / 2
        if peak(middle) < target_agents:
            low = middle
        else:
            high = middle
    scale = (low + high) / 2
    return {queue.name: scale * queue.share for queue in queues}


def required_agents(queue: SynthQueue, contacts: np.ndarray, interval_minutes: int) -> np.ndarray:
    """On-queue agents per interval at the queue's target, the way wfm staffs it (for calibration)."""
    from wfm import erlang

    traffic = contacts * queue.aht_seconds / (interval_minutes * 60)
    if queue.channel == "email":
        # Level staffing over the deadline: the trailing mean of the work over one window.
        window = max(1, round((queue.respond_within_hours or 24.0) * 60 / interval_minutes))
        padded = np.concatenate([np.zeros(window - 1), traffic])
        level = np.convolve(padded, np.ones(window), mode="valid") / (window * 0.85)
        return np.ceil(level - 1e-9)
    answer = 20.0 if queue.channel == "phone" else 30.0
    return np.asarray(
        erlang.required_agents(
            traffic,
            queue.aht_seconds,
            0.8,
            answer,
            0.85,
            queue.concurrency,
            patience_seconds=queue.patience_seconds,
        ),
        dtype=float,
    )


def make_history(
    queues: Sequence[SynthQueue],
    weekly_contacts: dict[str, float],
    start: dt.datetime,
    end: dt.datetime,
    interval_minutes: int,
    rng: np.random.Generator,
    *,
    growth_per_week: float = 0.004,
    day_noise: float = 0.08,
    special_days: Sequence[SynthSpecialDay] = SPECIAL_DAYS,
) -> pd.DataFrame:
    """History rows (queue, interval_start, contacts, aht_seconds) for [start, end) in UTC.

    Contacts are Poisson around the expected curve times a per-queue, per-local-day factor
    (gamma, coefficient of variation `day_noise`) and a slow trend; AHT per interval is the
    mean of that interval's handle times, longer at night and early in the morning. Queues
    with opening hours have no rows while closed.
    """
    grid = np.arange(_ns(start), _ns(end), interval_minutes * MINUTE_NS, dtype=np.int64)
    weeks_before_end = (grid - _ns(end)) / (7 * 24 * 60 * MINUTE_NS)
    frames = []
    shape_k = 1 / day_noise**2
    for queue in queues:
        mean = expected_contacts(queue, weekly_contacts[queue.name], grid, interval_minutes, special_days)
        mean = mean * (1 + growth_per_week) ** weeks_before_end
        local = pd.DatetimeIndex(grid.view("datetime64[ns]")).tz_localize("UTC").tz_convert(zoneinfo.ZoneInfo(queue.timezone))
        day_codes, _ = pd.factorize(np.asarray(local.date))
        day_factor = rng.gamma(shape_k, 1 / shape_k, size=int(day_codes.max()) + 1)[day_codes]
        contacts = rng.poisson(mean * day_factor).astype(float)
        hour = np.asarray(local.hour + local.minute / 60, dtype=float)
        tod = handle_time_factor(hour)
        spread = 0.45 * queue.aht_seconds * tod / np.sqrt(np.maximum(contacts, 1))
        aht = np.where(contacts > 0, np.maximum(queue.aht_seconds * tod + rng.normal(0, 1, grid.size) * spread, 30.0), np.nan)
        keep = np.ones(grid.size, dtype=bool)
        if queue.open_hours is not None or queue.closed_weekdays:
            # Exports leave closed hours out: only intervals the queue could take contacts in.
            keep = intraday_shape(queue, hour + interval_minutes / 120) > 0
            keep &= ~np.isin(np.asarray(local.day_of_week), queue.closed_weekdays)
        frames.append(
            pd.DataFrame(
                {
                    "queue": queue.name,
                    "interval_start": grid[keep],
                    "contacts": contacts[keep],
                    "aht_seconds": np.round(aht[keep], 1),
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    frame["interval_start"] = pd.DatetimeIndex(frame["interval_start"].to_numpy().view("datetime64[ns]")).tz_localize("UTC")
    return frame


def handle_time_factor(local_hours: np.ndarray) -> np.ndarray:
    """Mean handle time relative to the queue's typical one, by local time of day (hours):
    longer through the night and at opening, a little shorter mid-afternoon."""
    hour = local_hours
    return 1 + 0.12 * np.cos((hour - 3) / 24 * 2 * math.pi) + 0.05 * np.exp(-0.5 * ((hour - 8.5) / 1.0) ** 2)


def _ns(instant: dt.datetime) -> int:
    return int(pd.Timestamp(instant).value)


def _week_grid(plan_week: dt.date, interval_minutes: int) -> np.ndarray:
    start = _ns(week_start(plan_week))
    return np.arange(start, start + 7 * 24 * 60 * MINUTE_NS, interval_minutes * MINUTE_NS, dtype=np.int64)


def _write_history(history: pd.DataFrame, path: Path, clocks: dict[str, str] | None = None) -> None:
    """history.csv with interval_start in UTC (`Z`), or, with `clocks` (queue → zone), in each
    queue's local clock with its offset (e.g. 2026-11-02T09:00:00-05:00)."""
    stamps = history["interval_start"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    if clocks is not None:
        stamps = stamps.copy()
        for queue, zone in clocks.items():
            rows = history["queue"] == queue
            local = history.loc[rows, "interval_start"].dt.tz_convert(zoneinfo.ZoneInfo(zone))
            text = local.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
            stamps[rows] = text.str[:-2] + ":" + text.str[-2:]
    out = pd.DataFrame(
        {
            "queue": history["queue"],
            "interval_start": stamps,
            "contacts": history["contacts"].astype(int),
            "aht_seconds": history["aht_seconds"].map(lambda v: "" if v != v else f"{v:.1f}"),
        }
    )
    out.to_csv(path, index=False)
