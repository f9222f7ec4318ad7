"""Seeded sample worlds: realistic workspaces for the demo, tests and benchmarks.

`make_world` writes a global support center that loads with `load_workspace`:

- Sites, following the sun: Manila (Asia/Manila, English; local day and evening windows, which
  are the New York evening and night), Mexico City (America/Mexico_City, Spanish, some
  bilingual), Madrid (Europe/Madrid, Spanish, some English in the Spanish afternoon and evening)
  and the US (America/Chicago, English, some Spanish): the last three cover the US day. A few
  windows cross local midnight (e.g. 14:00–02:00); they open in the afternoon, so most of their
  shifts are not night shifts.
- Agents can keep their contracts under the world's rules profile: the best week the rules
  allow (best shift per local day inside the window and off days unavailable, at most the
  allowed days and night shifts, the weekly cap) reaches `min_hours_week` + 8 h, and an agent
  without a minimum can work at least 30 h (see `best_week_hours`).
- Queues, each in its customers' clock: phone-en and chat-en (America/New_York; phone-en has
  patience, so Erlang A), phone-es (customers in Spain, Europe/Madrid; open 08:00–22:00 Monday
  to Saturday), chat-es (customers in Mexico, America/Mexico_City; open 07:00–23:00), email-en
  (24 h deadline) and email-es (72 h). Like real exports, history has no rows while a queue is
  closed.
  Chat agents hold two conversations at once.
- History: Poisson arrivals with day-level over-dispersion, a weekly shape (Monday peak,
  quiet weekends) and intraday shapes in customer local time, so they follow DST (Europe
  changes on 25 Oct 2026, the US on 1 Nov 2026); handle time varies by time of day; US
  Thanksgiving (26 Nov 2026) is in special_days.csv and in the volume, and so is Cyber Monday
  (30 Nov 2026, busier English chat and phone).
- Volume is scaled so that the on-queue agents needed at the weekly peak of the plan week
  (summed over queues; Erlang at each queue's target, email levelled over its deadline) are
  about `agents / peak_ratio`. The week's required agent-hours are then about 70% of what the
  staff can work (their best legal weeks) at 80 agents, and nearer 56–60% for a few hundred
  agents or more, where Erlang needs proportionally fewer agents outside the peak.

Everything is drawn from one `numpy` generator seeded with `seed`: the same arguments give
byte-identical files.

`draw_world(seed, agents=None, out=...)` draws worlds of many other shapes from a seed (see
"drawn worlds" below, `WorldSpec` and `draw_spec`) for the sweep in benchmarks/bench_worlds.py
and tests/test_worlds.py, and writes each world's expected demand for the plan week beside it
in `truth/truth.csv`, with its shape in `truth/shape.json`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import math
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.rules import RulesProfile, load_rules
from wfm.timegrid import local_days, week_start

MINUTE_NS = 60 * 1_000_000_000
# Mon … Sun volume relative to a midweek day (customer local weekday).
WEEKLY_SHAPE = (1.16, 1.06, 1.0, 0.98, 0.92, 0.62, 0.5)


@dataclass(frozen=True)
class SynthQueue:
    """A queue of a sample world: its wfm.toml entry and how its contacts arrive."""

    name: str
    channel: str  # phone | chat | email
    timezone: str  # the customers' clock
    share: float  # share of the world's weekly contacts before calibration
    aht_seconds: float  # typical handle time at midday
    peaks: tuple[tuple[float, float, float], ...]  # (local hour, width in hours, weight) bumps of the day
    night: float = 0.04  # volume floor through the night, relative to the day's peak
    open_hours: tuple[float, float] | None = None  # local opening hours; None = around the clock
    closed_weekdays: tuple[int, ...] = ()
    weekly: tuple[float, ...] = WEEKLY_SHAPE
    concurrency: int = 1
    patience_seconds: float | None = None
    respond_within_hours: float | None = None

    def toml(self) -> str:
        lines = [
            "[[queues]]",
            f'name = "{self.name}"',
            f'channel = "{self.channel}"',
            f'timezone = "{self.timezone}"',
        ]
        if self.channel == "phone":
            lines += ["service_level = 0.80", "answer_seconds = 20"]
        elif self.channel == "chat":
            lines += ["service_level = 0.80", "answer_seconds = 30", f"concurrency = {self.concurrency}"]
        else:
            lines += ["service_level = 0.90", f"respond_within_hours = {self.respond_within_hours:g}"]
        if self.patience_seconds is not None:
            lines.append(f"patience_seconds = {self.patience_seconds:g}")
        return "\n".join(lines)


QUEUES: tuple[SynthQueue, ...] = (
    SynthQueue(
        name="phone-en",
        channel="phone",
        timezone="America/New_York",
        share=0.34,
        aht_seconds=360.0,
        peaks=((10.5, 2.2, 1.0), (14.5, 2.5, 0.85), (19.5, 2.0, 0.35)),
        patience_seconds=120.0,
    ),
    SynthQueue(
        name="chat-en",
        channel="chat",
        timezone="America/New_York",
        share=0.24,
        aht_seconds=540.0,
        peaks=((11.0, 2.5, 0.8), (15.0, 3.0, 0.8), (20.5, 2.2, 0.7)),
        night=0.06,
        concurrency=2,
    ),
    SynthQueue(
        name="phone-es",
        channel="phone",
        timezone="Europe/Madrid",
        share=0.14,
        aht_seconds=390.0,
        peaks=((10.5, 2.0, 1.0), (17.0, 2.2, 0.9)),
        night=0.0,
        open_hours=(8.0, 22.0),
        closed_weekdays=(6,),
    ),
    SynthQueue(
        name="chat-es",
        channel="chat",
        timezone="America/Mexico_City",
        share=0.12,
        aht_seconds=560.0,
        peaks=((11.0, 2.5, 0.9), (17.0, 3.0, 1.0), (21.0, 2.0, 0.5)),
        night=0.05,
        open_hours=(7.0, 23.0),
        concurrency=2,
    ),
    SynthQueue(
        name="email-en",
        channel="email",
        timezone="America/New_York",
        share=0.11,
        aht_seconds=420.0,
        peaks=((10.0, 3.0, 1.0), (15.0, 3.5, 0.8)),
        night=0.15,
        respond_within_hours=24.0,
        weekly=(1.2, 1.08, 1.02, 1.0, 0.95, 0.45, 0.4),
    ),
    SynthQueue(
        name="email-es",
        channel="email",
        timezone="Europe/Madrid",
        share=0.05,
        aht_seconds=450.0,
        peaks=((10.0, 3.0, 1.0), (16.0, 3.0, 0.7)),
        night=0.12,
        respond_within_hours=72.0,
        weekly=(1.2, 1.08, 1.02, 1.0, 0.95, 0.45, 0.4),
    ),
)


@dataclass(frozen=True)
class SynthSpecialDay:
    date: dt.date
    queues: tuple[str, ...]  # names, or ("*",)
    factor: float


SPECIAL_DAYS: tuple[SynthSpecialDay, ...] = (
    SynthSpecialDay(dt.date(2026, 11, 26), ("phone-en", "chat-en", "email-en"), 0.35),  # US Thanksgiving
    SynthSpecialDay(dt.date(2026, 11, 27), ("phone-en",), 0.8),  # the day after: quieter phones
    SynthSpecialDay(dt.date(2026, 11, 30), ("chat-en",), 1.3),  # Cyber Monday
    SynthSpecialDay(dt.date(2026, 11, 30), ("phone-en",), 1.1),
    SynthSpecialDay(dt.date(2026, 12, 8), ("phone-es", "email-es"), 0.0),  # Spain: Immaculate Conception
)


@dataclass(frozen=True)
class Site:
    name: str
    code: str
    timezone: str
    share: float
    # (local from, local to, share of the site's agents); "" = no window (fully flexible)
    windows: tuple[tuple[str, str, float], ...]
    # (skills, share of the site's agents)
    skill_sets: tuple[tuple[tuple[str, ...], float], ...]
    first_names: tuple[str, ...] = field(repr=False)
    last_names: tuple[str, ...] = field(repr=False)


# Follow the sun. In the plan week (US winter time) Manila's day, 06:00–22:00, is 17:00–09:00 in
# New York: the English evening and night. The US day is worked from the US, by Mexico City's
# bilinguals and by Madrid's English speakers in the Spanish afternoon and evening. Windows that
# cross local midnight start in the afternoon, so most of their shifts end by midnight and only
# the late ones are night shifts (a night shift touches local 00:00–06:00).
SITES: tuple[Site, ...] = (
    Site(
        "Manila",
        "MNL",
        "Asia/Manila",
        0.26,
        windows=(("06:00", "18:00", 0.4), ("10:00", "22:00", 0.3), ("14:00", "02:00", 0.1), ("", "", 0.2)),
        skill_sets=(
            (("phone-en", "chat-en", "email-en"), 0.7),
            (("phone-en", "chat-en"), 0.2),
            (("chat-en", "email-en"), 0.1),
        ),
        first_names=("Maria", "Jose", "Angelica", "Mark", "Kristine", "John Paul", "Rowena", "Carlo", "Jasmine", "Paolo"),
        last_names=("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Villanueva", "Ramos", "Aquino", "Dizon"),
    ),
    Site(
        "Mexico City",
        "MEX",
        "America/Mexico_City",
        0.19,
        windows=(("06:00", "23:00", 0.5), ("12:00", "00:00", 0.3), ("", "", 0.2)),
        skill_sets=(
            (("phone-es", "chat-es", "email-es"), 0.5),
            (("chat-es", "phone-es"), 0.15),
            (("phone-es", "chat-es", "phone-en", "chat-en"), 0.35),
        ),
        first_names=("Ana", "Luis", "Fernanda", "Jorge", "Daniela", "Ricardo", "Valeria", "Diego", "Sofía", "Andrés"),
        last_names=("Hernández", "López", "Martínez", "González", "Pérez", "Sánchez", "Ramírez", "Flores", "Torres", "Rivera"),
    ),
    Site(
        "Madrid",
        "MAD",
        "Europe/Madrid",
        0.22,
        windows=(("07:00", "23:00", 0.6), ("14:00", "02:00", 0.15), ("", "", 0.25)),
        skill_sets=(
            (("phone-es", "chat-es", "email-es"), 0.55),
            (("phone-es", "email-es"), 0.15),
            (("phone-es", "chat-es", "email-en", "chat-en"), 0.3),
        ),
        first_names=("Lucía", "Javier", "Carmen", "Pablo", "Marta", "Álvaro", "Elena", "Sergio", "Paula", "Raúl"),
        last_names=("García", "Fernández", "Rodríguez", "Martín", "Jiménez", "Ruiz", "Moreno", "Muñoz", "Romero", "Navarro"),
    ),
    Site(
        "US",
        "USA",
        "America/Chicago",
        0.33,
        windows=(("06:00", "22:00", 0.55), ("12:00", "02:00", 0.25), ("", "", 0.2)),
        skill_sets=(
            (("phone-en", "chat-en", "email-en"), 0.6),
            (("phone-en", "email-en"), 0.2),
            (("phone-en", "chat-en", "phone-es", "chat-es"), 0.2),
        ),
        first_names=("Emily", "Michael", "Jessica", "David", "Ashley", "Chris", "Sarah", "Brandon", "Megan", "Tyler"),
        last_names=("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor"),
    ),
)
# A contracted minimum must be reachable with this many paid hours to spare; an agent without one
# must be able to work at least FREE_AGENT_HOURS (or its own cap, if lower).
CONTRACT_MARGIN_HOURS = 8.0
FREE_AGENT_HOURS = 30.0


def make_world(
    out_dir: Path,
    *,
    seed: int = 7,
    agents: int = 80,
    weeks: int = 9,
    plan_week: dt.date = dt.date(2026, 11, 30),
    interval_minutes: int = 15,
    peak_ratio: float = 2.9,
    rules: str = "default",
) -> Path:
    """Write wfm.toml, agents.csv, history.csv and special_days.csv into `out_dir`; return it.

    `weeks` weeks of history end at the plan week's Monday 00:00 UTC, so the workspace's default
    plan week is `plan_week`.
    """
    if plan_week.weekday() != 0:
        raise InputError(f"make_world: plan_week must be a Monday, got {plan_week}")
    if agents < 8:
        raise InputError(f"make_world: agents must be at least 8 (two per site), got {agents}")
    if weeks < 1:
        raise InputError(f"make_world: weeks must be ≥ 1, got {weeks}")
    if interval_minutes not in (15, 30, 60):
        raise InputError(f"make_world: interval_minutes must be 15, 30 or 60, got {interval_minutes}")
    if peak_ratio <= 0:
        raise InputError(f"make_world: peak_ratio must be > 0, got {peak_ratio}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        profile = load_rules(rules, base_dir=out_dir)
    except InputError as exc:
        raise InputError(f"make_world: {exc}") from None
    rng = np.random.default_rng(seed)

    staff = make_agents(agents, plan_week, rng, profile)
    weekly_contacts = calibrate_volume(QUEUES, plan_week, interval_minutes, target_agents=agents / peak_ratio)
    start = week_start(plan_week) - dt.timedelta(days=7 * weeks)
    history = make_history(QUEUES, weekly_contacts, start, week_start(plan_week), interval_minutes, rng)

    (out_dir / "wfm.toml").write_text(_toml(interval_minutes, rules, agents, seed), encoding="utf-8")
    staff.to_csv(out_dir / "agents.csv", index=False)
    _write_history(history, out_dir / "history.csv")
    _special_days_frame().to_csv(out_dir / "special_days.csv", index=False)
    return out_dir


# ----------------------------------------------------------------------------- volume


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


def _special_days_frame() -> pd.DataFrame:
    rows = []
    for special in SPECIAL_DAYS:
        for queue in special.queues:
            rows.append(
                {
                    "date": special.date.isoformat(),
                    "queue": queue,
                    "factor": "closed" if special.factor == 0 else f"{special.factor:g}",
                }
            )
    return pd.DataFrame(rows, columns=["date", "queue", "factor"])


def _toml(interval_minutes: int, rules: str, agents: int, seed: int) -> str:
    queues = "\n\n".join(queue.toml() for queue in QUEUES)
    return (
        f"# A sample global support center made by wfm.synth.make_world (seed {seed}, {agents} agents).\n"
        "# Customers' clocks: phone-en, chat-en and email-en follow New York; phone-es and email-es\n"
        "# Spain; chat-es Mexico. Agents work from Manila, Mexico City, Madrid and the US (agents.csv).\n\n"
        "[plan]\n"
        f"interval_minutes = {interval_minutes}\n"
        f'rules = "{rules}"\n'
        "# week: the Monday after the last history day (history.csv ends the Sunday before)\n\n"
        f"{queues}\n"
    )


# ----------------------------------------------------------------------------- agents


def make_agents(count: int, plan_week: dt.date, rng: np.random.Generator, rules: RulesProfile | None = None) -> pd.DataFrame:
    """agents.csv rows: sites in proportion, skills by language, windows, part-timers, days off.

    Every agent can keep its contract under `rules` (the default profile when None): its best
    legal week (see `best_week_hours`) reaches `min_hours_week` + `CONTRACT_MARGIN_HOURS`, and
    an agent without a minimum can work at least `FREE_AGENT_HOURS` (its cap, if lower). The
    sites' windows are chosen so that this holds as drawn; the rare agent whose days off would
    break it (a weekday off and a booked date in a short week) loses the booked date first.
    """
    rules = rules or RulesProfile()
    sizes = _apportion(count, [site.share for site in SITES])
    rows = []
    for site, size in zip(SITES, sizes, strict=True):
        windows = _apportion(size, [share for _, _, share in site.windows])
        kinds = [window for window, n in zip(site.windows, windows, strict=True) for _ in range(n)]
        rng.shuffle(kinds)
        for number, (available_from, available_to, _) in enumerate(kinds, start=1):
            rows.append(_agent(site, number, available_from, available_to, plan_week, rng, rules))
    return pd.DataFrame(rows)


def _agent(
    site: Site,
    number: int,
    available_from: str,
    available_to: str,
    plan_week: dt.date,
    rng: np.random.Generator,
    rules: RulesProfile,
) -> dict[str, object]:
    draw = float(rng.random())
    skills = site.skill_sets[-1][0]
    for skill_set, upto in _cumulative(site.skill_sets):
        if draw < upto:
            skills = skill_set
            break
    part_time = rng.random() < 0.22
    max_hours: int | None = None
    min_hours: int | None = None
    weekdays_off = ""
    if part_time:
        max_hours = int(rng.choice([20, 24, 25, 30]))
        min_hours = max_hours - int(rng.choice([8, 10]))
        if rng.random() < 0.5:
            weekdays_off = str(rng.choice(["Sat|Sun", "Sun", "Mon|Tue", "Fri|Sat"]))
    else:
        if rng.random() < 0.5:
            min_hours = int(rng.choice([30, 32]))
        if rng.random() < 0.2:
            weekdays_off = str(rng.choice(["Sun", "Sat"]))
    booked = ""
    if rng.random() < 0.15:
        # A booked day off inside the plan week, on a day the agent would otherwise work.
        day = plan_week + dt.timedelta(days=int(rng.integers(0, 7)))
        if day.strftime("%a") not in weekdays_off:
            booked = day.isoformat()
    first = site.first_names[int(rng.integers(len(site.first_names)))]
    last = site.last_names[int(rng.integers(len(site.last_names)))]

    # Keep the contract: a week the rules allow must reach the minimum with room to spare. Days
    # off go first (the booked date, then the weekday), then the minimum comes down.
    window = (available_from, available_to) if available_from else None
    cap = float(min(max_hours, rules.hours.max_per_week) if max_hours is not None else rules.hours.max_per_week)

    def best(weekdays: str, dates: str) -> float:
        return best_week_hours(site.timezone, window, _days_off(weekdays, dates), cap, rules, plan_week)

    def enough(hours: float) -> bool:
        wanted = min(FREE_AGENT_HOURS, cap) if min_hours is None else min_hours + CONTRACT_MARGIN_HOURS
        return hours >= wanted - 1e-9

    most = best(weekdays_off, booked)
    if not enough(most) and booked:
        booked = ""
        most = best(weekdays_off, booked)
    if not enough(most) and weekdays_off:
        weekdays_off = ""
        most = best(weekdays_off, booked)
    if min_hours is not None and not enough(most):
        lowered = 2 * math.floor((most - CONTRACT_MARGIN_HOURS) / 2)
        min_hours = lowered if lowered >= cap / 2 else None
    days_off = [part for part in (weekdays_off, booked) if part]
    return {
        "agent_id": f"{site.code}-{number:03d}",
        "name": f"{first} {last}",
        "site": site.name,
        "timezone": site.timezone,
        "skills": "|".join(skills),
        "max_hours_week": "" if max_hours is None else max_hours,
        "min_hours_week": "" if min_hours is None else min_hours,
        "available_from": available_from,
        "available_to": available_to,
        "days_unavailable": "|".join(days_off),
    }


def _cumulative(shares: Sequence[tuple[tuple[str, ...], float]]) -> list[tuple[tuple[str, ...], float]]:
    total = sum(share for _, share in shares)
    out, running = [], 0.0
    for skills, share in shares:
        running += share / total
        out.append((skills, running))
    return out


def _days_off(weekdays: str, dates: str) -> tuple[frozenset[int], frozenset[dt.date]]:
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return (
        frozenset(names.index(part) for part in weekdays.split("|") if part),
        frozenset(dt.date.fromisoformat(part) for part in dates.split("|") if part),
    )


# ----------------------------------------------------------------------------- feasibility


def best_week_hours(
    timezone: str,
    window: tuple[str, str] | None,
    days_off: tuple[frozenset[int], frozenset[dt.date]],
    cap_hours: float,
    rules: RulesProfile,
    plan_week: dt.date,
) -> float:
    """Most paid hours one agent can work in the plan week under `rules`.

    The best shift of each local day (inside the window, on a day the agent is available,
    the shift's local date being one of the 7 days of the week), at most
    `7 − min_days_off_per_week` days, at most `nights.max_per_week` night shifts (unless that cap
    is soft), within `cap_hours`. Rest between shifts is not checked: every window here repeats
    daily, so the best shifts start at one local time and leave ≥ 14 h of rest.
    """
    options = _day_options(timezone, window, days_off, cap_hours, rules, plan_week)
    days = 7 - rules.hours.min_days_off_per_week
    nights = days if rules.is_soft("max_nights") else rules.nights.max_per_week
    # state (days used, nights used) → most paid hours, over the days in order
    states = {(0, 0): 0.0}
    for day, night in options:
        following = dict(states)
        for (used, night_count), hours in states.items():
            if used == days:
                continue
            if day > 0:
                key = (used + 1, night_count)
                following[key] = max(following.get(key, 0.0), hours + day)
            if night > 0 and night_count < nights:
                key = (used + 1, night_count + 1)
                following[key] = max(following.get(key, 0.0), hours + night)
        states = following
    return min(max(states.values()), cap_hours)


@functools.cache
def _day_options(
    timezone: str,
    window: tuple[str, str] | None,
    days_off: tuple[frozenset[int], frozenset[dt.date]],
    cap_hours: float,
    rules: RulesProfile,
    plan_week: dt.date,
) -> tuple[tuple[float, float], ...]:
    """For each of the agent's 7 local days: paid hours of the best non-night and night shift (0 = none)."""
    dates, minutes = _local_clock(timezone, plan_week)
    first = local_days(timezone, plan_week)[0]
    lengths = [
        (round(hours * 60) // 15, rules.paid_hours(hours))
        for hours in rules.shifts.lengths_hours
        if rules.paid_hours(hours) <= min(rules.hours.max_per_day, cap_hours) + 1e-9
    ]
    spans = []  # availability windows as (from, to) minutes after the start day's midnight
    if window is not None:
        opens, closes = (int(text[:2]) * 60 + int(text[3:]) for text in window)
        closes += 1440 if closes <= opens else 0
        spans = [(opens, closes)] + ([(opens - 1440, closes - 1440)] if closes > 1440 else [])
    night_from = round(rules.nights.window_start_hour * 60)
    night_to = round(rules.nights.window_end_hour * 60)
    night_to += 1440 if night_to <= night_from else 0
    weekdays_off, dates_off = days_off
    best = [[0.0, 0.0] for _ in range(7)]
    for point in range(0, 7 * 96, rules.shifts.start_step_minutes // 15):
        index = dates[point] - first.toordinal()
        local_date = first + dt.timedelta(days=int(index))
        if not 0 <= index < 7 or local_date.weekday() in weekdays_off or local_date in dates_off:
            continue
        begin = int(minutes[point])
        for steps, paid in lengths:
            end = int((dates[point + steps] - dates[point]) * 1440 + minutes[point + steps])
            if spans and not any(low <= begin and end <= high for low, high in spans):
                continue
            night = any(min(end, night_to + shift) > max(begin, night_from + shift) for shift in (-1440, 0, 1440))
            slot = best[index]
            slot[int(night)] = max(slot[int(night)], paid)
    return tuple((day, night) for day, night in best)


@functools.cache
def _local_clock(timezone: str, plan_week: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Local date (ordinal) and minute of the day of every quarter hour from the week start, for
    the week and one more day (so that shifts starting late in the week end inside the table)."""
    origin = pd.Timestamp(week_start(plan_week))
    stamps = pd.date_range(origin, periods=8 * 96, freq="15min").tz_convert(zoneinfo.ZoneInfo(timezone))
    ordinals = np.asarray([value.toordinal() for value in stamps.date], dtype=np.int64)
    return ordinals, np.asarray(stamps.hour * 60 + stamps.minute, dtype=np.int64)


def _apportion(total: int, shares: Sequence[float]) -> list[int]:
    """Split `total` by `shares` into whole numbers (largest remainders), each at least 1 when possible."""
    weights = np.asarray(shares, dtype=float) / sum(shares)
    raw = weights * total
    counts = np.floor(raw).astype(int)
    for index in np.argsort(-(raw - counts))[: total - counts.sum()]:
        counts[index] += 1
    return [int(c) for c in counts]


# ----------------------------------------------------------------------------- drawn worlds
# `draw_world(seed)` draws a workspace of a shape the shipped sample does not have: interval
# length, queues and their customers' clocks, where agents sit, rules, contracts, headcount,
# plan week and how history is stamped all come from the seed. Beside the workspace files it
# writes `truth/truth.csv` (the expected demand of the plan week, what the history was drawn
# around) and `truth/shape.json` (the drawn shape), which wfm never reads.


@dataclass(frozen=True)
class Market:
    """Customers of a drawn world's queues: their language and clock."""

    code: str
    language: str
    timezone: str


MARKETS: tuple[Market, ...] = (
    Market("us", "en", "America/New_York"),
    Market("west", "en", "America/Los_Angeles"),
    Market("mx", "es", "America/Mexico_City"),
    Market("spain", "es", "Europe/Madrid"),
    Market("au", "en", "Australia/Sydney"),  # southern hemisphere: summer time from 4 Oct 2026
)


@dataclass(frozen=True)
class Zone:
    """Where a drawn world's agents sit: the main language there first, then one some agents also speak."""

    timezone: str
    code: str
    languages: tuple[str, ...]
    first_names: tuple[str, ...] = field(repr=False)
    last_names: tuple[str, ...] = field(repr=False)


def _site_names(timezone: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    site = next(site for site in SITES if site.timezone == timezone)
    return site.first_names, site.last_names


ZONES: tuple[Zone, ...] = (
    Zone("America/Chicago", "CHI", ("en", "es"), *_site_names("America/Chicago")),
    Zone("Asia/Manila", "MNL", ("en",), *_site_names("Asia/Manila")),
    Zone("America/Mexico_City", "MEX", ("es", "en"), *_site_names("America/Mexico_City")),
    Zone("Europe/Madrid", "MAD", ("es", "en"), *_site_names("Europe/Madrid")),
    Zone(
        "Australia/Sydney",
        "SYD",
        ("en",),
        ("Olivia", "Jack", "Charlotte", "Liam", "Mia", "Noah", "Chloe", "Lachlan", "Isla", "Cooper"),
        ("Nguyen", "Kelly", "Walker", "Harris", "Lee", "Martin", "Thompson", "White", "Young", "Mitchell"),
    ),
    Zone(
        "America/New_York",
        "NYC",
        ("en", "es"),
        ("Nicole", "Kevin", "Danielle", "Anthony", "Rachel", "Marcus", "Lauren", "Victor", "Gabriela", "Sean"),
        ("Rodriguez", "Murphy", "Cohen", "Rivera", "Sullivan", "Kim", "Patel", "Brooks", "Ortiz", "Russo"),
    ),
)
ZONE_BY_NAME = {zone.timezone: zone for zone in ZONES}
# The two DST weeks (Europe changed on 25 Oct, the US changes on 1 Nov), an ordinary week and
# the week after Sydney's change (4 Oct).
PLAN_WEEKS: tuple[dt.date, ...] = (dt.date(2026, 10, 26), dt.date(2026, 11, 2), dt.date(2026, 11, 16), dt.date(2026, 10, 5))
# Team sizes when none is asked for: mostly small, as most contact centres are.
SIZES: tuple[int, ...] = (10, 15, 24, 40, 60, 80, 120, 200, 380, 1200)
SIZE_WEIGHTS: tuple[float, ...] = (0.14, 0.14, 0.14, 0.13, 0.11, 0.1, 0.08, 0.07, 0.05, 0.04)
# Local availability windows agents may have (`to` before `from`: the window crosses midnight).
WINDOWS: tuple[tuple[str, str], ...] = (
    ("06:00", "16:00"),
    ("07:00", "19:00"),
    ("08:00", "20:00"),
    ("09:00", "21:00"),
    ("10:00", "22:00"),
    ("06:00", "22:00"),
    ("12:00", "00:00"),
    ("14:00", "02:00"),
    ("16:00", "02:00"),
)
CROSSING = tuple(window for window in WINDOWS if window[1] < window[0])
GROWTH_PER_WEEK = 0.004
# A drawn agent's contracted minimum leaves this many hours below its best legal week.
DRAWN_CONTRACT_MARGIN_HOURS = 2.0


@dataclass(frozen=True)
class WorldSpec:
    """The shape of a drawn world; `write_world` turns it into files, `draw_spec` draws it."""

    seed: int
    agents: int
    interval_minutes: int
    plan_week: dt.date
    history_weeks: int
    queues: tuple[SynthQueue, ...]
    zones: tuple[str, ...]  # agents' time zones
    zone_shares: tuple[float, ...]
    rules: str  # "default", "flexible" or "rules.toml" (then `rules_toml` is its text)
    rules_toml: str | None
    part_time_share: float  # agents with max_hours_week 20–30 and min_hours_week 16–24
    bilingual_share: float  # of agents in a zone with a second language the world's queues use
    single_skill_share: float
    flexible_share: float  # agents without an availability window
    headcount_ratio: float  # the staff's best legal weeks, in hours, over the lower bound of expected demand
    history_clock: str  # "utc" (`Z`) or "local" (each queue's clock, with its offset)
    special_days: tuple[SynthSpecialDay, ...] = ()

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({_language(queue) for queue in self.queues}))

    def tags(self) -> list[str]:
        """Short labels of the shape, for tables."""
        tags = [f"{self.interval_minutes}m", f"{len(self.queues)}q", f"{len(self.zones)}z"]
        named = {"default": "default", "flexible": "flexible"}
        tags.append(named.get(self.rules, "rules-" + "/".join(_lengths(self.rules_toml))))
        if self.part_time_share >= 1 / 3:
            tags.append("part-time-heavy")
        tags.append("tight" if self.headcount_ratio < 1.2 else "loose")
        tags.append(f"wk{self.plan_week:%m-%d}")
        tags.append(f"{self.history_weeks}w-{self.history_clock}")
        if any(queue.timezone == "Australia/Sydney" for queue in self.queues) or "Australia/Sydney" in self.zones:
            tags.append("sydney")
        emails = [queue.respond_within_hours for queue in self.queues if queue.channel == "email"]
        if emails:
            tags.append("email-" + "/".join(f"{hours:g}h" for hours in emails))
        if self.special_days:
            tags.append("special")
        return tags

    def to_json(self) -> dict[str, object]:
        return {
            "seed": self.seed,
            "agents": self.agents,
            "interval_minutes": self.interval_minutes,
            "plan_week": self.plan_week.isoformat(),
            "history_weeks": self.history_weeks,
            "history_clock": self.history_clock,
            "queues": [
                {
                    "name": queue.name,
                    "channel": queue.channel,
                    "timezone": queue.timezone,
                    "share": round(queue.share, 4),
                    "aht_seconds": queue.aht_seconds,
                    "open_hours": list(queue.open_hours) if queue.open_hours else None,
                    "closed_weekdays": list(queue.closed_weekdays),
                    "concurrency": queue.concurrency,
                    "patience_seconds": queue.patience_seconds,
                    "respond_within_hours": queue.respond_within_hours,
                }
                for queue in self.queues
            ],
            "zones": dict(zip(self.zones, (round(share, 4) for share in self.zone_shares), strict=True)),
            "rules": self.rules,
            "rules_toml": self.rules_toml,
            "part_time_share": round(self.part_time_share, 4),
            "bilingual_share": round(self.bilingual_share, 4),
            "single_skill_share": round(self.single_skill_share, 4),
            "flexible_share": round(self.flexible_share, 4),
            "headcount_ratio": round(self.headcount_ratio, 4),
            "special_days": [
                {"date": day.date.isoformat(), "queues": list(day.queues), "factor": day.factor} for day in self.special_days
            ],
            "tags": self.tags(),
        }


def _language(queue: SynthQueue) -> str:
    return queue.name.split("-")[1]


def _lengths(rules_toml: str | None) -> list[str]:
    if rules_toml is None:
        return []
    import tomllib

    return [f"{hours:g}" for hours in tomllib.loads(rules_toml)["shifts"]["lengths_hours"]]


def draw_world(seed: int, agents: int | None = None, out: Path = Path("world")) -> Path:
    """Draw a world's shape from `seed` (and its size, unless `agents` is given) and write it
    into `out`: the workspace files, `truth/truth.csv` and `truth/shape.json`. Returns `out`."""
    return write_world(draw_spec(seed, agents), out)


def draw_spec(seed: int, agents: int | None = None) -> WorldSpec:
    """A world's shape, drawn from `seed` alone (the same seed, the same shape)."""
    rng = np.random.default_rng([seed, 0x5EED])
    if agents is None:
        agents = int(rng.choice(SIZES, p=np.asarray(SIZE_WEIGHTS) / sum(SIZE_WEIGHTS)))
    if agents < 6:
        raise InputError(f"draw_world: agents must be at least 6, got {agents}")
    interval = int(rng.choice([15, 30, 60], p=[0.45, 0.35, 0.2]))
    count = int(rng.integers(2, min(8, 2 + agents // 8) + 1))
    queues = _draw_queues(rng, count)
    kind = str(rng.choice(["default", "flexible", "custom"], p=[0.35, 0.25, 0.4]))
    rules_toml = _draw_rules(rng) if kind == "custom" else None
    part_time = float(rng.uniform(1 / 3, 0.5) if rng.random() < 0.4 else rng.uniform(0.05, 0.2))
    ratio = float(rng.uniform(1.0, 1.1) if rng.random() < 0.4 else rng.uniform(1.3, 1.6))
    plan_week = PLAN_WEEKS[int(rng.choice(len(PLAN_WEEKS), p=[0.3, 0.3, 0.25, 0.15]))]
    # Small teams cannot staff many queues around the clock: every open interval of a phone or
    # chat queue needs an agent whatever its volume. Keep that floor well under what they can work.
    queues = _within_floor(queues, capacity_hours=agents * 30.0 / ratio)
    zones = _draw_zones(rng, agents, queues, plan_week)
    shares = _zone_shares(rng, zones, queues)
    special: tuple[SynthSpecialDay, ...] = ()
    if rng.random() < 0.35:
        queue = queues[int(rng.integers(len(queues)))]
        day = plan_week + dt.timedelta(days=int(rng.integers(0, 7)))
        special = (SynthSpecialDay(day, (queue.name,), float(rng.choice([0.0, 0.5, 1.3]))),)
    return WorldSpec(
        seed=seed,
        agents=agents,
        interval_minutes=interval,
        plan_week=plan_week,
        history_weeks=int(rng.integers(6, 11)),
        queues=queues,
        zones=zones,
        zone_shares=shares,
        rules="rules.toml" if rules_toml else kind,
        rules_toml=rules_toml,
        part_time_share=part_time,
        bilingual_share=float(rng.uniform(0.15, 0.45)),
        single_skill_share=float(rng.uniform(0.1, 0.4)),
        flexible_share=float(rng.uniform(0.05, 0.2)),
        headcount_ratio=ratio,
        history_clock=str(rng.choice(["utc", "local"])),
        special_days=special,
    )


def _draw_queues(rng: np.random.Generator, count: int) -> tuple[SynthQueue, ...]:
    """`count` queues over 1–3 markets, a phone queue first, every market with a queue."""
    fewest = math.ceil(count / 3)
    markets = [MARKETS[i] for i in rng.choice(len(MARKETS), size=int(rng.integers(fewest, min(3, count) + 1)), replace=False)]
    pairs = [("phone", markets[0])] + [(str(rng.choice(["phone", "chat", "email"])), market) for market in markets[1:]]
    rest = [(channel, market) for market in markets for channel in ("phone", "chat", "email") if (channel, market) not in pairs]
    for index in rng.permutation(len(rest))[: count - len(pairs)]:
        pairs.append(rest[int(index)])
    shares = rng.dirichlet(np.full(len(pairs), 3.0)) + 0.05
    shares = shares / shares.sum()
    taken = [(channel, market.language) for channel, market in pairs]
    queues = []
    for (channel, market), share in zip(pairs, shares, strict=True):
        name = f"{channel}-{market.language}"
        if taken.count((channel, market.language)) > 1:
            name += f"-{market.code}"
        queues.append(_draw_queue(rng, name, channel, market, float(share)))
    return tuple(queues)


def _draw_queue(rng: np.random.Generator, name: str, channel: str, market: Market, share: float) -> SynthQueue:
    morning = (float(rng.uniform(9.5, 11.5)), float(rng.uniform(1.8, 2.6)), 1.0)
    afternoon = (float(rng.uniform(14.0, 16.5)), float(rng.uniform(2.0, 3.0)), float(rng.uniform(0.6, 0.95)))
    peaks: tuple[tuple[float, float, float], ...] = (morning, afternoon)
    if channel == "chat" or rng.random() < 0.5:
        peaks += ((float(rng.uniform(19.0, 21.0)), float(rng.uniform(1.5, 2.5)), float(rng.uniform(0.3, 0.7))),)
    if channel == "email":
        return SynthQueue(
            name=name,
            channel="email",
            timezone=market.timezone,
            share=share,
            aht_seconds=float(round(rng.uniform(300, 600), -1)),
            peaks=peaks,
            night=float(rng.uniform(0.1, 0.2)),
            weekly=(1.2, 1.08, 1.02, 1.0, 0.95, 0.45, 0.4),
            respond_within_hours=float(rng.choice([4, 8, 12, 24, 48, 72])),
        )
    open_hours: tuple[float, float] | None = None
    closed: tuple[int, ...] = ()
    if rng.random() < 0.55:
        open_hours = (float(rng.choice([7, 8, 9])), float(rng.choice([18, 20, 21, 22, 23])))
        if rng.random() < 0.35:
            closed = (6,) if rng.random() < 0.6 else (5, 6)
    phone = channel == "phone"
    return SynthQueue(
        name=name,
        channel=channel,
        timezone=market.timezone,
        share=share,
        aht_seconds=float(round(rng.uniform(240, 480) if phone else rng.uniform(400, 720), -1)),
        peaks=peaks,
        night=float(rng.uniform(0.02, 0.06)) if open_hours is None else 0.0,
        open_hours=open_hours,
        closed_weekdays=closed,
        concurrency=1 if phone else int(rng.integers(1, 4)),
        patience_seconds=float(round(rng.uniform(60, 240), -1)) if phone and rng.random() < 0.4 else None,
    )


def _within_floor(queues: tuple[SynthQueue, ...], capacity_hours: float) -> tuple[SynthQueue, ...]:
    """Open round-the-clock phone/chat queues 08:00–20:00 and then drop queues (never the first)
    until their open hours are at most 45% of `capacity_hours`."""

    def floor(chosen: Sequence[SynthQueue]) -> float:
        total = 0.0
        for queue in chosen:
            if queue.channel == "email":
                continue
            opens, closes = queue.open_hours or (0.0, 24.0)
            total += (closes - opens) * (7 - len(queue.closed_weekdays))
        return total

    chosen = list(queues)
    for index, queue in enumerate(chosen):
        if floor(chosen) <= 0.45 * capacity_hours:
            break
        if queue.channel != "email" and queue.open_hours is None:
            chosen[index] = dataclasses.replace(queue, open_hours=(8.0, 20.0), night=0.0)
    while len(chosen) > 2 and floor(chosen) > 0.45 * capacity_hours:
        chosen.pop()
    total = sum(queue.share for queue in chosen)
    return tuple(dataclasses.replace(queue, share=queue.share / total) for queue in chosen)


def _draw_rules(rng: np.random.Generator) -> str:
    lengths = [(4, 6, 8, 9, 10), (6, 8, 9, 10), (4, 6, 8)][int(rng.choice(3, p=[0.6, 0.25, 0.15]))]
    days_off = int(rng.choice([2, 1], p=[0.7, 0.3]))
    return (
        "# A rules profile drawn by wfm.synth.draw_world.\n\n"
        "[shifts]\n"
        f"lengths_hours = [{', '.join(str(hours) for hours in lengths)}]\n"
        "start_step_minutes = 30\n\n"
        "[hours]\n"
        "max_per_week = 40\n"
        "max_per_day = 10\n"
        f"min_rest_between_shifts = {int(rng.choice([10, 11, 12]))}\n"
        f"max_consecutive_days = {7 - days_off if days_off == 1 else int(rng.choice([5, 6]))}\n"
        f"min_days_off_per_week = {days_off}\n\n"
        "[breaks]\n"
        "break_minutes = 15\n"
        "lunch_minutes = 30\n"
        "lunch_after_hours = [3, 5]\n\n"
        "[nights]\n"
        f"max_per_week = {int(rng.choice([2, 3]))}\n\n"
        "[service]\n"
        "max_occupancy = 0.85\n"
    )


def _main_language(zone: str, languages: set[str]) -> str | None:
    """The language a zone's agents speak first among `languages` (None: none of them)."""
    return next((language for language in ZONE_BY_NAME[zone].languages if language in languages), None)


def _zone_shares(rng: np.random.Generator, zones: Sequence[str], queues: Sequence[SynthQueue]) -> tuple[float, ...]:
    """Shares of the agents per zone: each language's work (contacts × handle time) is split over
    the zones whose main language it is, unevenly."""
    languages = {_language(queue) for queue in queues}
    work = {language: sum(q.share * q.aht_seconds for q in queues if _language(q) == language) for language in languages}
    total = sum(work.values())
    weights = rng.dirichlet(np.full(len(zones), 3.0)) + 0.1
    mains = [_main_language(zone, languages) for zone in zones]
    shares = []
    for zone_weight, language in zip(weights, mains, strict=True):
        alike = sum(w for w, other in zip(weights, mains, strict=True) if other == language)
        shares.append(float(work[language] / total * zone_weight / alike) if language is not None else 0.0)
    return tuple(share / sum(shares) for share in shares)


def _draw_zones(rng: np.random.Generator, agents: int, queues: Sequence[SynthQueue], plan_week: dt.date) -> tuple[str, ...]:
    """2–6 agent zones (fewer for small teams): every language of the queues is the main language
    of some zone, and, as far as the zones allow, every open hour of every phone/chat queue (in
    its customers' clock) is day (06:00–23:00) in some zone whose agents speak its language."""
    languages = {_language(queue) for queue in queues}
    most = max(2, min(6, agents // 5))
    zones = [ZONES[i].timezone for i in rng.choice(len(ZONES), size=int(rng.integers(2, most + 1)), replace=False)]
    order = [ZONES[i].timezone for i in rng.permutation(len(ZONES))]

    def main(zone: str) -> str | None:
        return _main_language(zone, languages)

    zones = [zone for zone in zones if main(zone) is not None] or [order[0]]
    for language in sorted(languages):
        if not any(main(zone) == language for zone in zones):
            found = next(zone for zone in order if main(zone) == language)
            spare = [i for i, zone in enumerate(zones) if sum(main(other) == main(zone) for other in zones) > 1]
            if len(zones) < most:
                zones.append(found)
            elif spare:
                zones[spare[0]] = found
    needed = {(queue.name, hour) for queue in queues if queue.channel != "email" for hour in _open_hours(queue)}

    def covered(zone: str) -> set[tuple[str, int]]:
        return {
            (queue.name, hour)
            for queue in queues
            if queue.channel != "email" and _language(queue) in ZONE_BY_NAME[zone].languages
            for hour in _open_hours(queue)
            if _is_day(queue.timezone, hour, zone, plan_week)
        }

    for _ in range(len(ZONES)):
        missing = needed - set().union(*(covered(zone) for zone in zones))
        outside = [zone for zone in order if zone not in zones and main(zone) is not None]
        if not missing or not outside:
            break
        best = max(outside, key=lambda zone: len(covered(zone) & missing))  # the first of the best, in `order`
        gain = len(covered(best) & missing)
        if gain == 0:
            break
        if len(zones) < most:
            zones.append(best)
            continue
        # Swap out the zone whose hours the others cover best, if that keeps every language.
        losses = []
        for index in range(len(zones)):
            rest = zones[:index] + zones[index + 1 :] + [best]
            if {main(other) for other in rest} >= languages:
                losses.append((len(needed - set().union(*(covered(other) for other in rest))), index))
        if not losses or min(losses)[0] >= len(missing):
            break
        zones[min(losses)[1]] = best
    if len(zones) < 2:
        zones.append(next(zone for zone in order if zone not in zones and main(zone) is not None))
    return tuple(zones)


def _open_hours(queue: SynthQueue) -> range:
    """Whole local hours a queue takes contacts in (its customers' clock)."""
    if queue.open_hours is None:
        return range(24)
    opens, closes = queue.open_hours
    return range(math.floor(opens), math.ceil(closes))


def _is_day(timezone: str, hour: int, zone: str, plan_week: dt.date) -> bool:
    """Is `hour`:30 on the plan week's Wednesday in `timezone` between 06:00 and 23:00 in `zone`?"""
    moment = dt.datetime.combine(plan_week + dt.timedelta(days=2), dt.time(hour, 30), tzinfo=zoneinfo.ZoneInfo(timezone))
    return 6 <= moment.astimezone(zoneinfo.ZoneInfo(zone)).hour < 23


def write_world(spec: WorldSpec, out: Path) -> Path:
    """Write the workspace of `spec` into `out` (wfm.toml, agents.csv, history.csv, rules.toml and
    special_days.csv when it has them) and its truth in `out/truth/`. Returns `out`.

    Volume is scaled so that the staff's best legal weeks add up to `headcount_ratio` × the
    lower bound of the plan week's expected demand (on-queue hours at target, email at the
    occupancy cap, plus paid breaks).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if spec.rules_toml is not None:
        (out / "rules.toml").write_text(spec.rules_toml, encoding="utf-8")
    try:
        profile = load_rules(spec.rules, base_dir=out)
    except InputError as exc:
        raise InputError(f"draw_world: {exc}") from None
    rng = np.random.default_rng([spec.seed, 0xA6E])
    grid = _week_grid(spec.plan_week, spec.interval_minutes)
    workload = {
        queue.name: expected_contacts(queue, 1.0, grid, spec.interval_minutes, spec.special_days) * queue.aht_seconds
        for queue in spec.queues
    }
    staff, best = drawn_agents(spec, profile, workload, rng)
    weekly = _calibrate_hours(spec, profile, float(np.sum(best)) / spec.headcount_ratio)
    end = week_start(spec.plan_week)
    history = make_history(
        spec.queues,
        weekly,
        end - dt.timedelta(days=7 * spec.history_weeks),
        end,
        spec.interval_minutes,
        rng,
        growth_per_week=GROWTH_PER_WEEK,
        special_days=spec.special_days,
    )

    (out / "wfm.toml").write_text(_drawn_toml(spec), encoding="utf-8")
    staff.to_csv(out / "agents.csv", index=False)
    clocks = {queue.name: queue.timezone for queue in spec.queues} if spec.history_clock == "local" else None
    _write_history(history, out / "history.csv", clocks)
    if spec.special_days:
        rows = [
            {"date": day.date.isoformat(), "queue": name, "factor": "closed" if day.factor == 0 else f"{day.factor:g}"}
            for day in spec.special_days
            for name in day.queues
        ]
        pd.DataFrame(rows, columns=["date", "queue", "factor"]).to_csv(out / "special_days.csv", index=False)
    truth = true_demand(spec, weekly)
    (out / "truth").mkdir(exist_ok=True)
    truth.assign(interval_start=truth["interval_start"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")).to_csv(
        out / "truth" / "truth.csv", index=False
    )
    shape = spec.to_json() | {
        "weekly_contacts": {name: round(value, 1) for name, value in weekly.items()},
        "best_week_hours": round(float(np.sum(best)), 1),
        "part_timers": int(
            (pd.to_numeric(staff["max_hours_week"]).le(30) & pd.to_numeric(staff["min_hours_week"]).between(16, 24)).sum()
        ),
        "crossing_windows": int(((staff["available_from"] != "") & (staff["available_to"] < staff["available_from"])).sum()),
        "no_window": int((staff["available_from"] == "").sum()),
        "single_skill": int((~staff["skills"].str.contains("|", regex=False)).sum()),
        "bilingual": int(staff["skills"].map(lambda text: len({part.split("-")[1] for part in text.split("|")}) > 1).sum()),
        "dates_unavailable": int(staff["days_unavailable"].str.contains("-", regex=False).sum()),
        "weekdays_unavailable": int(staff["days_unavailable"].str.contains("[A-Z]", regex=True).sum()),
    }
    (out / "truth" / "shape.json").write_text(json.dumps(shape, indent=2) + "\n", encoding="utf-8")
    return out


def true_demand(spec: WorldSpec, weekly_contacts: dict[str, float]) -> pd.DataFrame:
    """The plan week's expected demand per queue and UTC interval: the mean the history was drawn
    around (weekly and intraday shapes, special days, the trend), with the mean handle time."""
    grid = _week_grid(spec.plan_week, spec.interval_minutes)
    weeks_after = (grid - _ns(week_start(spec.plan_week))) / (7 * 24 * 60 * MINUTE_NS)
    frames = []
    for queue in spec.queues:
        mean = expected_contacts(queue, weekly_contacts[queue.name], grid, spec.interval_minutes, spec.special_days)
        local = pd.DatetimeIndex(grid.view("datetime64[ns]")).tz_localize("UTC").tz_convert(zoneinfo.ZoneInfo(queue.timezone))
        hour = np.asarray(local.hour + local.minute / 60, dtype=float)
        frames.append(
            pd.DataFrame(
                {
                    "queue": queue.name,
                    "interval_start": pd.DatetimeIndex(grid.view("datetime64[ns]")).tz_localize("UTC"),
                    "contacts": np.round(mean * (1 + GROWTH_PER_WEEK) ** weeks_after, 4),
                    "aht_seconds": np.round(queue.aht_seconds * handle_time_factor(hour), 1),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _calibrate_hours(spec: WorldSpec, rules: RulesProfile, target_hours: float) -> dict[str, float]:
    """Weekly contacts per queue so that the plan week's demand, in paid hours at its lower bound
    (phone/chat agents at target, email work at the occupancy cap, plus paid breaks), is `target_hours`."""
    minutes = spec.interval_minutes
    grid = _week_grid(spec.plan_week, minutes)
    shapes = {queue.name: expected_contacts(queue, 1.0, grid, minutes, spec.special_days) for queue in spec.queues}
    shares = [
        rules.breaks_for(length) * rules.breaks.break_minutes / 60 / rules.paid_hours(length)
        for length in rules.shifts.lengths_hours
    ]
    breaks = 1 / (1 - min(shares))

    def hours(scale: float) -> float:
        total = 0.0
        for queue in spec.queues:
            contacts = shapes[queue.name] * scale * queue.share
            if queue.channel == "email":
                total += float((contacts * queue.aht_seconds / (minutes * 60)).sum()) / rules.service.max_occupancy
            else:
                total += float(required_agents(queue, contacts, minutes).sum())
        return total * minutes / 60 * breaks

    if hours(1e-6) >= target_hours:
        raise InputError(f"draw_world: seed {spec.seed}: the open hours alone need more than the staff's {target_hours:.0f} h")
    low, high = 1e-6, 1.0
    while hours(high) < target_hours:
        low, high = high, high * 2
        if high > 1e12:
            raise InputError(f"draw_world: cannot reach {target_hours:.0f} h of demand")
    while high - low > 1e-4 * high:
        middle = (low + high) / 2
        if hours(middle) < target_hours:
            low = middle
        else:
            high = middle
    scale = (low + high) / 2
    return {queue.name: scale * queue.share for queue in spec.queues}


def _drawn_toml(spec: WorldSpec) -> str:
    queues = "\n\n".join(queue.toml() for queue in spec.queues)
    clocks = ", ".join(f"{queue.name} {queue.timezone}" for queue in spec.queues)
    return (
        f"# A world drawn by wfm.synth.draw_world (seed {spec.seed}, {spec.agents} agents): {' '.join(spec.tags())}.\n"
        f"# Customers' clocks: {clocks}. Agents in {', '.join(spec.zones)}.\n\n"
        "[plan]\n"
        f"interval_minutes = {spec.interval_minutes}\n"
        f'rules = "{spec.rules}"\n\n'
        f"{queues}\n"
    )


@dataclass
class _Person:
    """A drawn agent while its skills and window are being chosen."""

    zone: Zone
    number: int
    skills: list[str]
    window: tuple[str, str] | None = None


def drawn_agents(
    spec: WorldSpec, rules: RulesProfile, workload: dict[str, np.ndarray], rng: np.random.Generator
) -> tuple[pd.DataFrame, list[float]]:
    """agents.csv rows of a drawn world and each agent's best legal week in paid hours.

    Skills follow the languages of the agent's zone (bilingual agents speak both) and go where
    the queues' share of the work is least staffed so far; windows are picked where the agent's
    queues have the most work per agent already available, and every hour a queue has work
    someone skilled for it may work. Contracts are kept as in `make_agents`: a minimum stays
    `DRAWN_CONTRACT_MARGIN_HOURS` under the best legal week (`best_week_hours`), days off
    giving way first.
    """
    counts = _apportion(spec.agents, spec.zone_shares)
    # Every zone gets someone: the largest gives up agents to the empty ones.
    for index, value in enumerate(counts):
        if value == 0:
            largest = int(np.argmax(counts))
            counts[largest] -= 1
            counts[index] = 1
    languages = set(spec.languages)
    queues = {queue.name: queue for queue in spec.queues}
    order = list(queues)
    share = {queue.name: queue.share for queue in spec.queues}
    hourly = {name: _hourly(work) for name, work in workload.items()}
    need = {name: work / max(work.sum(), 1e-12) * share[name] * 168 for name, work in hourly.items()}
    supply = dict.fromkeys(queues, 0)
    people: list[_Person] = []
    for zone_name, size in zip(spec.zones, counts, strict=True):
        zone = ZONE_BY_NAME[zone_name]
        spoken = [language for language in zone.languages if language in languages]
        for number in range(1, size + 1):
            speaks = set(spoken[:1])
            if len(spoken) > 1 and rng.random() < spec.bilingual_share:
                speaks = set(spoken)
            eligible = [name for name in queues if _language(queues[name]) in speaks]
            weights = np.asarray([share[name] / (1 + supply[name]) for name in eligible])
            first = eligible[int(rng.choice(len(eligible), p=weights / weights.sum()))]
            skills = [first]
            if len(eligible) > 1 and rng.random() >= spec.single_skill_share:
                others = [name for name in eligible if name != first]
                extra = int(rng.integers(1, len(others) + 1))
                skills += [others[int(i)] for i in rng.choice(len(others), size=extra, replace=False)]
            for name in skills:
                supply[name] += 1
            people.append(_Person(zone, number, sorted(skills, key=order.index)))
    # A queue (almost) nobody may work is added to the fewest-skilled agents who speak its language.
    fewest = 1 if spec.agents < 20 else 2
    for name in queues:
        language = _language(queues[name])
        speakers = sorted(
            (person for person in people if language in {_language(queues[skill]) for skill in person.skills}),
            key=lambda person: len(person.skills),
        )
        for person in speakers:
            if supply[name] >= fewest:
                break
            if name not in person.skills:
                person.skills = sorted([*person.skills, name], key=order.index)
                supply[name] += 1
    _place_windows(people, need, spec, rng)
    part_timers = set(rng.permutation(len(people))[: round(spec.part_time_share * len(people))].tolist())
    rows: list[dict[str, object]] = []
    best_hours = []
    for index, person in enumerate(people):
        row, best = _drawn_agent(person, index in part_timers, spec, rules, rng)
        rows.append(row)
        best_hours.append(best)
    return pd.DataFrame(rows), best_hours


def _hourly(work: np.ndarray) -> np.ndarray:
    """A week of interval values summed into its 168 UTC hours."""
    return work.reshape(168, -1).sum(axis=1)


@functools.cache
def _window_hours(timezone: str, window: tuple[str, str] | None, plan_week: dt.date) -> np.ndarray:
    """The 168 UTC hours of the plan week whose local time of day lies inside `window`."""
    if window is None:
        return np.ones(168, dtype=bool)
    stamps = pd.date_range(pd.Timestamp(week_start(plan_week)), periods=168, freq="h").tz_convert(zoneinfo.ZoneInfo(timezone))
    minute = np.asarray(stamps.hour * 60 + stamps.minute)
    opens, closes = (int(text[:2]) * 60 + int(text[3:]) for text in window)
    if closes > opens:
        return (minute >= opens) & (minute < closes)
    return (minute >= opens) | (minute < closes)


def _place_windows(people: list[_Person], need: dict[str, np.ndarray], spec: WorldSpec, rng: np.random.Generator) -> None:
    """Give each person a window (or none): where their queues' work per available agent is highest."""
    available = {name: np.zeros(168) for name in need}
    for index in rng.permutation(len(people)):
        person = people[int(index)]
        if rng.random() >= spec.flexible_share:
            menu = CROSSING if rng.random() < 0.1 else WINDOWS
            scores = []
            for candidate in menu:
                hours = _window_hours(person.zone.timezone, candidate, spec.plan_week)
                scores.append(sum(float((need[name] * hours / (1 + available[name])).sum()) for name in person.skills))
            ranked = np.argsort(-np.asarray(scores), kind="stable")
            pick = ranked[0] if rng.random() < 0.7 else ranked[int(rng.integers(min(3, len(ranked))))]
            person.window = menu[int(pick)]
        for name in person.skills:
            available[name] += _window_hours(person.zone.timezone, person.window, spec.plan_week)
    # Every hour a queue has work, someone skilled for it may work: open up windows where not.
    for name in need:
        while ((need[name] > 0) & (available[name] == 0)).any():
            skilled = [person for person in people if name in person.skills and person.window is not None]
            if not skilled:
                break
            person = skilled[int(rng.integers(len(skilled)))]
            outside = ~_window_hours(person.zone.timezone, person.window, spec.plan_week)
            for skill in person.skills:
                available[skill] += outside
            person.window = None


def _drawn_agent(
    person: _Person, part_time: bool, spec: WorldSpec, rules: RulesProfile, rng: np.random.Generator
) -> tuple[dict[str, object], float]:
    zone, window = person.zone, person.window
    max_hours: int | None = None
    min_hours: int | None = None
    weekdays_off = ""
    if part_time:
        max_hours = int(rng.choice([20, 24, 25, 28, 30]))
        min_hours = int(rng.integers(16, min(24, max_hours - 4) + 1))
        if rng.random() < 0.5:
            weekdays_off = str(rng.choice(["Sat|Sun", "Sun", "Mon|Tue", "Fri|Sat", "Wed"]))
    else:
        if rng.random() < 0.5:
            min_hours = int(rng.choice([30, 32, 36]))
        if rng.random() < 0.1:
            max_hours = int(rng.choice([36, 38]))
        if rng.random() < 0.2:
            weekdays_off = str(rng.choice(["Sun", "Sat"]))
    booked = ""
    if rng.random() < 0.15:
        day = local_days(zone.timezone, spec.plan_week)[int(rng.integers(0, 7))]
        if day.strftime("%a") not in weekdays_off:
            booked = day.isoformat()
    cap = float(min(max_hours, rules.hours.max_per_week) if max_hours is not None else rules.hours.max_per_week)

    def best(weekdays: str, dates: str) -> float:
        return best_week_hours(zone.timezone, window, _days_off(weekdays, dates), cap, rules, spec.plan_week)

    def enough(hours: float) -> bool:
        return min_hours is None or hours >= min_hours + DRAWN_CONTRACT_MARGIN_HOURS - 1e-9

    most = best(weekdays_off, booked)
    if not enough(most) and booked:
        booked = ""
        most = best(weekdays_off, booked)
    if not enough(most) and weekdays_off:
        weekdays_off = ""
        most = best(weekdays_off, booked)
    if min_hours is not None and not enough(most):
        lowered = math.floor(most - DRAWN_CONTRACT_MARGIN_HOURS)
        min_hours = lowered if lowered >= (16 if part_time else cap / 2) else None
    first = zone.first_names[int(rng.integers(len(zone.first_names)))]
    last = zone.last_names[int(rng.integers(len(zone.last_names)))]
    row: dict[str, object] = {
        "agent_id": f"{zone.code}-{person.number:04d}",
        "name": f"{first} {last}",
        "site": zone.timezone.split("/")[-1].replace("_", " "),
        "timezone": zone.timezone,
        "skills": "|".join(person.skills),
        "max_hours_week": "" if max_hours is None else max_hours,
        "min_hours_week": "" if min_hours is None else min_hours,
        "available_from": window[0] if window else "",
        "available_to": window[1] if window else "",
        "days_unavailable": "|".join(part for part in (weekdays_off, booked) if part),
    }
    return row, most
