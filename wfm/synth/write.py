"""Writing a drawn world: the workspace files, its agents placed where the demand is, and the
expected demand beside them in `truth/`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.rules import RulesProfile, load_rules
from wfm.synth.feasible import _apportion, best_week_hours, kept_days_off
from wfm.synth.spec import (
    CROSSING,
    DRAWN_CONTRACT_MARGIN_HOURS,
    GROWTH_PER_WEEK,
    WINDOWS,
    ZONE_BY_NAME,
    WorldSpec,
    Zone,
    _language,
)
from wfm.synth.volume import _ns, _week_grid, _write_history, expected_contacts, handle_time_factor, make_history, required_agents
from wfm.timegrid import MINUTE_NS, local_days, week_start


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

    def best(days_off: tuple[frozenset[int], frozenset[dt.date]]) -> float:
        return best_week_hours(zone.timezone, window, days_off, cap, rules, spec.plan_week)

    def enough(hours: float) -> bool:
        return min_hours is None or hours >= min_hours + DRAWN_CONTRACT_MARGIN_HOURS - 1e-9

    weekdays_off, booked, most = kept_days_off(best, enough, weekdays_off, booked)
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
