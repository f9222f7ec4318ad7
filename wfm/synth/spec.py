"""The shape of a drawn world (`WorldSpec`) and what shapes are drawn from: markets, agent zones,
plan weeks, team sizes and availability windows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from wfm.synth.model import SITES, SynthQueue, SynthSpecialDay


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
