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
"""

from __future__ import annotations

import datetime as dt
import functools
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
        mean = expected_contacts(queue, weekly_contacts[queue.name], grid, interval_minutes)
        mean = mean * (1 + growth_per_week) ** weeks_before_end
        local = pd.DatetimeIndex(grid.view("datetime64[ns]")).tz_localize("UTC").tz_convert(zoneinfo.ZoneInfo(queue.timezone))
        day_codes, _ = pd.factorize(np.asarray(local.date))
        day_factor = rng.gamma(shape_k, 1 / shape_k, size=int(day_codes.max()) + 1)[day_codes]
        contacts = rng.poisson(mean * day_factor).astype(float)
        hour = np.asarray(local.hour + local.minute / 60, dtype=float)
        # Handle time: longer through the night and at opening, a little shorter mid-afternoon.
        tod = 1 + 0.12 * np.cos((hour - 3) / 24 * 2 * math.pi) + 0.05 * np.exp(-0.5 * ((hour - 8.5) / 1.0) ** 2)
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


def _ns(instant: dt.datetime) -> int:
    return int(pd.Timestamp(instant).value)


def _week_grid(plan_week: dt.date, interval_minutes: int) -> np.ndarray:
    start = _ns(week_start(plan_week))
    return np.arange(start, start + 7 * 24 * 60 * MINUTE_NS, interval_minutes * MINUTE_NS, dtype=np.int64)


def _write_history(history: pd.DataFrame, path: Path) -> None:
    out = pd.DataFrame(
        {
            "queue": history["queue"],
            "interval_start": history["interval_start"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
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
