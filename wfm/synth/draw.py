"""Drawing a world's shape from a seed (`draw_spec`) and the world itself (`draw_world`).

`draw_world(seed)` draws a workspace of a shape the shipped sample does not have: interval
length, queues and their customers' clocks, where agents sit, rules, contracts, headcount, plan
week and how history is stamped all come from the seed. Beside the workspace files it writes
`truth/truth.csv` (the expected demand of the plan week, what the history was drawn around) and
`truth/shape.json` (the drawn shape), which wfm never reads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import zoneinfo
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from wfm.errors import InputError
from wfm.synth.model import SynthQueue, SynthSpecialDay
from wfm.synth.spec import MARKETS, PLAN_WEEKS, SIZE_WEIGHTS, SIZES, ZONE_BY_NAME, ZONES, Market, WorldSpec, _language
from wfm.synth.write import write_world


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
