"""The shipped sample world: a global support centre, written as a workspace.

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
  about `agents / peak_ratio`; outside the peak Erlang needs proportionally fewer agents the
  larger the team, so a larger world's staff has more hours to spare.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.rules import RulesProfile, load_rules
from wfm.synth.feasible import _apportion, _cumulative, best_week_hours, kept_days_off
from wfm.synth.model import QUEUES, SITES, SPECIAL_DAYS, Site
from wfm.synth.volume import _write_history, calibrate_volume, make_history
from wfm.timegrid import week_start

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

    def best(days_off: tuple[frozenset[int], frozenset[dt.date]]) -> float:
        return best_week_hours(site.timezone, window, days_off, cap, rules, plan_week)

    def enough(hours: float) -> bool:
        wanted = min(FREE_AGENT_HOURS, cap) if min_hours is None else min_hours + CONTRACT_MARGIN_HOURS
        return hours >= wanted - 1e-9

    weekdays_off, booked, most = kept_days_off(best, enough, weekdays_off, booked)
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
