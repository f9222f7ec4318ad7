"""A scenario applied: the workspace as the scenario has it and the change to its forecast.

Added agents are named `NEW-<slug>-01`, `NEW-<slug>-02`, … (numbered across the scenario's
`add_agents` blocks), with no availability window and the profile's default contract (no
minimum, the profile's weekly cap).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wfm.errors import InputError, suggest
from wfm.rules import load_rules
from wfm.timegrid import local_days
from wfm.whatif.scenarios import QueueChange, Scenario
from wfm.workspace import AgentConfig, Workspace


@dataclass(frozen=True)
class ForecastAdjustment:
    """The forecast side of a scenario: volume, deflection, AHT and closed days per queue.

    A picklable callable: `run_plan(..., adjust_forecast=ForecastAdjustment(...))`.
    """

    volume: float = 1.0
    queues: Mapping[str, QueueChange] = field(default_factory=dict)
    timezones: Mapping[str, str] = field(default_factory=dict)  # queue → customers' clock, for closed_days

    def __call__(self, forecast: pd.DataFrame) -> pd.DataFrame:
        out = forecast.copy()
        contacts = out["contacts"].to_numpy(dtype=float) * self.volume
        aht = out["aht_seconds"].to_numpy(dtype=float).copy()
        for name, change in self.queues.items():
            rows = (out["queue"] == name).to_numpy()
            if not rows.any():
                continue
            contacts[rows] *= 1.0 - change.deflection
            aht[rows] *= change.aht
            weekdays, dates = change.closed()
            if weekdays or dates:
                local = pd.to_datetime(out.loc[rows, "interval_start"], utc=True).dt.tz_convert(self.timezones.get(name, "UTC"))
                closed = local.dt.day_of_week.isin(sorted(weekdays)).to_numpy() | local.dt.date.isin(dates).to_numpy()
                index = np.flatnonzero(rows)[closed]
                contacts[index] = 0.0
        out["contacts"] = contacts
        out["aht_seconds"] = aht
        return out


def apply_scenario(
    ws: Workspace, scenario: Scenario, seed: int = 0, *, week: dt.date | None = None
) -> tuple[Workspace, ForecastAdjustment]:
    """The workspace as the scenario has it, and the change to apply to its forecast.

    In order: the rules profile; `remove_agents` (a seeded draw among agents.csv, the same for
    every scenario with the same share and seed); `add_agents` (unavailable on their local days of
    the plan week before `on_queue_from`); `sites_closed`, for old and new agents alike.
    """
    monday = ws.plan_week(week)
    where = f"scenario {scenario.name!r}"
    queue_names = [q.name for q in ws.queues]
    for queue in scenario.queues:
        if queue not in queue_names:
            raise InputError(f"{where}: no queue named {queue!r} in wfm.toml{suggest(queue, queue_names)}")

    rules = ws.rules
    if scenario.rules is not None:
        try:
            rules = load_rules(scenario.rules, base_dir=ws.root)
        except InputError as exc:
            raise InputError(f"{where} rules: {str(exc).removeprefix('wfm.toml [plan] rules: ')}") from None

    agents = list(ws.agents)
    if scenario.remove_agents > 0:
        gone = round(scenario.remove_agents * len(agents))
        if gone >= len(agents):
            raise InputError(f"{where} remove_agents: {scenario.remove_agents:g} leaves nobody of {len(agents)} agents")
        drop = set(np.random.default_rng(seed).permutation(len(agents))[:gone].tolist())
        agents = [agent for index, agent in enumerate(agents) if index not in drop]

    taken = {agent.agent_id for agent in ws.agents}
    number = 0
    total = sum(block.count for block in scenario.add_agents)
    width = max(2, len(str(total)))
    for block in scenario.add_agents:
        for skill in block.skills:
            if skill not in queue_names:
                raise InputError(f"{where} add_agents skills: no queue named {skill!r} in wfm.toml{suggest(skill, queue_names)}")
        training = frozenset(d for d in local_days(block.timezone, monday) if block.on_queue_from and d < block.on_queue_from)
        for _ in range(block.count):
            number += 1
            agent_id = f"NEW-{scenario.slug}-{number:0{width}d}"
            while agent_id in taken:
                agent_id += "x"
            taken.add(agent_id)
            agents.append(
                AgentConfig(
                    agent_id=agent_id,
                    timezone=block.timezone,
                    skills=block.skills,
                    name=f"New hire {number} ({scenario.name})",
                    site=block.site,
                    dates_unavailable=training,
                )
            )

    for closure in scenario.sites_closed:
        weekdays, dates = closure.weekday_numbers(), frozenset(closure.dates)
        matched = False
        for index, agent in enumerate(agents):
            if agent.site == closure.site:
                matched = True
                agents[index] = agent.model_copy(
                    update={
                        "weekdays_unavailable": agent.weekdays_unavailable | weekdays,
                        "dates_unavailable": agent.dates_unavailable | dates,
                    }
                )
        if not matched:
            known = sorted({a.site for a in agents if a.site})
            raise InputError(f"{where} sites_closed: no agent works at site {closure.site!r}{suggest(closure.site, known)}")

    applied = ws.model_copy(update={"agents": tuple(agents), "rules": rules})
    adjustment = ForecastAdjustment(
        volume=scenario.volume,
        queues=dict(scenario.queues),
        timezones={q.name: q.timezone for q in ws.queues},
    )
    return applied, adjustment
