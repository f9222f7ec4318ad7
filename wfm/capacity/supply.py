"""Supply over the horizon: on-queue hours per site and skill set, week by week.

Today's agents are grouped by site (agents.csv `site`, else the time zone) and skill set. An
agent gives `weekly_cap / break_factor` on-queue hours a week: its paid-hours cap (its own
`max_hours_week`, never above the profile's `max_per_week`) less the paid breaks of the most
break-efficient shift (`wfm.pipeline.break_factor`). Shrinkage is not taken off here: the
required hours are grossed up for it (as requirements.csv does), so taking it off twice would
count absence twice.

Attrition: a site's monthly rate m becomes a weekly hazard q = 1 − (1 − m)^(7 / days per month);
in week k an agent is still there with probability (1 − q)^k (expected values), and the leavers
of week k are the headcount of week k times q. Hires leave at their site's rate from their
first week. A hire is paid from the class start; in training (`training_weeks`) they are off
queue; then on queue with handle time falling linearly from `ramp_aht_factor` to 1 over
`ramp_weeks` (week j of the ramp at its midpoint), so a ramping agent counts 1 / factor.

The pessimistic band (`pessimistic_hours`) plays attrition out `runs` times with a seed: every
agent and hire leaves after a geometric number of weeks, and the band is a low quantile of the
on-queue hours available each week.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.capacity.config import DAYS_PER_MONTH, CapacityConfig, site_of
from wfm.pipeline import break_factor
from wfm.workspace import Workspace

STAFFING_COLUMNS = (
    "week",
    "site",
    "headcount",
    "leavers",
    "in_training",
    "ramping",
    "available_hours",
    "short_hours",
    "available_hours_p10",
    "hires_starting",
)
"""staffing.csv: expected values per week and site (headcount at the week's start, of them in
training and ramping; leavers during the week; on-queue hours available; short hours of the
queues the site serves, shared by the sites skilled for each queue in proportion to their
hours), the pessimistic band's available hours, and hires whose class starts that week."""


@dataclass(frozen=True)
class Group:
    """Today's agents of one site with one skill set."""

    site: str
    skills: tuple[str, ...]
    headcount: int
    on_queue_hours: tuple[float, ...]  # each agent's weekly on-queue hours


@dataclass(frozen=True)
class Supply:
    """What the horizon's supply is built from; `sites` in a fixed (sorted) order."""

    groups: tuple[Group, ...]
    sites: tuple[str, ...]
    weekly_leave: Mapping[str, float]  # site → weekly hazard q
    hire_skills: Mapping[str, tuple[str, ...]]  # site → the skill set its hires get
    hire_sites: tuple[str, ...]  # where classes may open
    hire_paid_hours: float  # a hire's paid hours a week
    hire_on_queue_hours: float  # a fully ramped hire's on-queue hours a week
    training_weeks: int
    ramp_weeks: int
    ramp_aht_factor: float


def weekly_leave_rate(monthly: float) -> float:
    """The weekly hazard equivalent to a monthly leaving share."""
    return 1.0 - (1.0 - monthly) ** (7.0 / DAYS_PER_MONTH)


def ramp_effectiveness(ages: int, training_weeks: int, ramp_weeks: int, ramp_aht_factor: float) -> np.ndarray:
    """A hire's on-queue weight by week since the class started: 0 in training, 1/factor while
    ramping (factor linear from `ramp_aht_factor` to 1, read at each week's midpoint), then 1."""
    age = np.arange(ages, dtype=float)
    ramp_age = age - training_weeks
    factor = np.where(
        ramp_age < ramp_weeks, ramp_aht_factor + (1.0 - ramp_aht_factor) * (ramp_age + 0.5) / max(ramp_weeks, 1), 1.0
    )
    return np.where(ramp_age < 0, 0.0, 1.0 / factor)


def most_common_skills(skill_sets: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """The skill set most agents share; ties go to the one that sorts first."""
    counts = Counter(skill_sets)
    best = max(counts.values())
    return min(skills for skills, count in counts.items() if count == best)


def build_supply(ws: Workspace, config: CapacityConfig) -> Supply:
    factor = break_factor(ws.rules)
    members: dict[tuple[str, tuple[str, ...]], list[float]] = {}
    for agent in ws.agents:
        key = (site_of(agent.site, agent.timezone), agent.skills)
        members.setdefault(key, []).append(agent.weekly_cap(ws.rules) / factor)
    groups = tuple(
        Group(site, skills, len(hours), tuple(hours))
        for (site, skills), hours in sorted(members.items(), key=lambda item: item[0])
    )
    sites = tuple(sorted({group.site for group in groups}))
    hiring = config.hiring
    hire_skills = {
        site: hiring.skills.get(site)
        or most_common_skills([g.skills for g in groups if g.site == site for _ in range(g.headcount)])
        for site in sites
    }
    paid = hiring.hours_per_week if hiring.hours_per_week is not None else ws.rules.hours.max_per_week
    return Supply(
        groups=groups,
        sites=sites,
        weekly_leave={site: weekly_leave_rate(config.attrition.monthly_at(site)) for site in sites},
        hire_skills=hire_skills,
        hire_sites=tuple(sorted(hiring.sites)) if hiring.sites is not None else sites,
        hire_paid_hours=paid,
        hire_on_queue_hours=min(paid, ws.rules.hours.max_per_week) / factor,
        training_weeks=hiring.training_weeks,
        ramp_weeks=hiring.ramp_weeks,
        ramp_aht_factor=hiring.ramp_aht_factor,
    )


def survival(q: float, weeks: int) -> np.ndarray:
    """Expected share still employed k weeks on, k = 0 … weeks−1."""
    return np.asarray((1.0 - q) ** np.arange(weeks), dtype=float)


def existing_hours(supply: Supply, weeks: int) -> np.ndarray:
    """groups × weeks expected on-queue hours of today's agents."""
    return np.array([sum(g.on_queue_hours) * survival(supply.weekly_leave[g.site], weeks) for g in supply.groups]).reshape(
        len(supply.groups), weeks
    )


def hire_on_queue(supply: Supply, site: str, weeks: int) -> np.ndarray:
    """Expected on-queue hours of one hire by week since the class started (attrition included)."""
    effect = ramp_effectiveness(weeks, supply.training_weeks, supply.ramp_weeks, supply.ramp_aht_factor)
    return np.asarray(supply.hire_on_queue_hours * effect * survival(supply.weekly_leave[site], weeks), dtype=float)


def hire_paid(supply: Supply, site: str, weeks: int) -> np.ndarray:
    """Expected paid hours of one hire by week since the class started."""
    return np.asarray(supply.hire_paid_hours * survival(supply.weekly_leave[site], weeks), dtype=float)


def _shifted(profile: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Σ_t classes[t] × profile[k − t] for k = 0 … weeks−1: a profile by age laid over start weeks."""
    weeks = classes.size
    return np.convolve(classes, profile)[:weeks]


def site_hours(supply: Supply, classes: np.ndarray) -> np.ndarray:
    """sites × weeks expected on-queue hours: today's agents plus the classes (sites × weeks sizes)."""
    weeks = classes.shape[1]
    existing = existing_hours(supply, weeks)
    out = np.zeros((len(supply.sites), weeks))
    for g, group in enumerate(supply.groups):
        out[supply.sites.index(group.site)] += existing[g]
    for s, site in enumerate(supply.sites):
        out[s] += _shifted(hire_on_queue(supply, site, weeks), classes[s])
    return out


def staffing_frame(
    supply: Supply,
    classes: np.ndarray,
    weeks: Sequence[object],
    short_by_site: np.ndarray,
    p10_by_site: np.ndarray,
) -> pd.DataFrame:
    """staffing.csv rows (see STAFFING_COLUMNS), expected values, one per week and site."""
    count = classes.shape[1]
    hours = site_hours(supply, classes)
    rows = []
    for s, site in enumerate(supply.sites):
        q = supply.weekly_leave[site]
        alive = survival(q, count)
        today = sum(g.headcount for g in supply.groups if g.site == site)
        age = np.arange(count)
        training = (age < supply.training_weeks).astype(float)
        ramping = ((age >= supply.training_weeks) & (age < supply.training_weeks + supply.ramp_weeks)).astype(float)
        hires = _shifted(alive, classes[s])
        headcount = today * alive + hires
        for k in range(count):
            rows.append(
                {
                    "week": str(weeks[k]),
                    "site": site,
                    "headcount": round(float(headcount[k]), 2),
                    "leavers": round(float(headcount[k] * q), 2),
                    "in_training": round(float(_shifted(alive * training, classes[s])[k]), 2),
                    "ramping": round(float(_shifted(alive * ramping, classes[s])[k]), 2),
                    "available_hours": round(float(hours[s, k]), 2),
                    "short_hours": round(float(short_by_site[s, k]), 2),
                    "available_hours_p10": round(float(p10_by_site[s, k]), 2),
                    "hires_starting": int(classes[s, k]),
                }
            )
    return pd.DataFrame(rows, columns=list(STAFFING_COLUMNS))


def pessimistic_hours(
    supply: Supply, classes: np.ndarray, *, runs: int = 500, seed: int = 0, quantile: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """A low quantile of on-queue hours over `runs` seeded plays of attrition: (sites × weeks,
    total per week). Each person leaves after a geometric number of weeks (their site's hazard)."""
    rng = np.random.default_rng(seed)
    weeks = classes.shape[1]
    per_site = np.zeros((len(supply.sites), runs, weeks))
    for s, site in enumerate(supply.sites):
        q = supply.weekly_leave[site]
        hours = np.array([h for g in supply.groups if g.site == site for h in g.on_queue_hours])
        per_site[s] = _present_hours(rng, q, hours, runs, weeks)
        profile = supply.hire_on_queue_hours * ramp_effectiveness(
            weeks, supply.training_weeks, supply.ramp_weeks, supply.ramp_aht_factor
        )
        for t in np.flatnonzero(classes[s]):
            size = int(classes[s, t])
            ages = weeks - int(t)
            stays = _weeks_present(rng, q, (runs, size), ages)
            present = (stays[:, :, None] > np.arange(ages)[None, None, :]).sum(axis=1)  # runs × ages
            per_site[s, :, t:] += present * profile[:ages]
    low_sites = np.quantile(per_site, quantile, axis=1)
    low_total = np.quantile(per_site.sum(axis=0), quantile, axis=0)
    return low_sites, low_total


def _weeks_present(rng: np.random.Generator, q: float, shape: tuple[int, int], cap: int) -> np.ndarray:
    """Weeks each person is still there, counted from their first (geometric: P(> k) = (1 − q)^k),
    capped at `cap`; they are present in week k while this is above k."""
    if q <= 0:
        return np.full(shape, cap, dtype=np.int64)
    return np.minimum(rng.geometric(q, size=shape), cap)


def _present_hours(rng: np.random.Generator, q: float, hours: np.ndarray, runs: int, weeks: int) -> np.ndarray:
    """runs × weeks on-queue hours of today's agents (each with its own weekly hours)."""
    if hours.size == 0:
        return np.zeros((runs, weeks))
    gone_from = _weeks_present(rng, q, (runs, hours.size), weeks)  # the first week each one is absent
    lost = np.zeros((runs, weeks + 1))
    np.add.at(lost, (np.repeat(np.arange(runs), hours.size), gone_from.ravel()), np.tile(hours, runs))
    return np.asarray(hours.sum() - np.cumsum(lost[:, :weeks], axis=1), dtype=float)
