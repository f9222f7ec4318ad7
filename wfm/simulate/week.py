"""`simulate_plan`: the planned week played `runs` times, contact by contact, and compared with Erlang."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from wfm.errors import InputError
from wfm.simulate.dispatch import _draw_contacts, _place
from wfm.simulate.inputs import _prepare_demand, _prepare_staffing
from wfm.simulate.results import HandleTime, Routing, SimulationResult
from wfm.simulate.summary import _summarise
from wfm.workspace import AgentConfig, QueueConfig

MAX_OVERDISPERSION = 5.0
"""The largest day-to-day coefficient of variation a simulation takes."""


def simulate_plan(
    queues: Sequence[QueueConfig],
    agents: Sequence[AgentConfig],
    roster: pd.DataFrame,
    forecast: pd.DataFrame,
    week: date,
    interval_minutes: int,
    *,
    runs: int = 30,
    seed: int = 0,
    overdispersion: float = 0.0,
    handle_time: HandleTime = "exponential",
    aht_cv: float = 1.0,
    routing: Routing = "roster",
) -> SimulationResult:
    """Play the planned week `runs` times, contact by contact, and compare with Erlang.

    `roster`: agent_id, activity (queue name, `break` or `lunch`), start, end (UTC); `forecast`: queue,
    interval_start (UTC), contacts, aht_seconds. Same inputs and seed give identical output; run r
    draws from its own stream (spawned from `seed`), so the first runs do not change when more are added.
    """
    _check_options(runs, seed, overdispersion, handle_time, aht_cv, routing, interval_minutes)
    queues = tuple(queues)
    if not queues:
        raise InputError("simulate: no queues given")
    demand = _prepare_demand(forecast, queues, week, interval_minutes)
    staffing = _prepare_staffing(roster, queues, agents, week, routing)
    contacts = _draw_contacts(demand, queues, runs, seed, overdispersion, handle_time, aht_cv)
    starts = _place(contacts, staffing, queues)
    return _summarise(contacts, starts, demand, staffing, queues, runs, seed, routing, overdispersion, handle_time)


def _check_options(
    runs: int, seed: int, overdispersion: float, handle_time: str, aht_cv: float, routing: str, interval_minutes: int
) -> None:
    if runs < 2:
        raise InputError(f"runs: expected at least 2 (the interval needs a spread across runs), got {runs}")
    if seed < 0:
        raise InputError(f"seed: expected a whole number ≥ 0, got {seed}")
    if not 0 <= overdispersion <= MAX_OVERDISPERSION:
        expected = f"expected a coefficient of variation in [0, {MAX_OVERDISPERSION:g}]"
        raise InputError(f"overdispersion: {expected}, got {overdispersion}")
    if handle_time not in ("exponential", "lognormal"):
        raise InputError(f"handle_time: expected exponential or lognormal, got {handle_time!r}")
    if handle_time == "exponential" and aht_cv != 1.0:
        raise InputError(f"aht_cv: exponential handle times have CV 1, got {aht_cv} (use handle_time='lognormal')")
    if not 0 < aht_cv <= 10:
        raise InputError(f"aht_cv: expected a coefficient of variation in (0, 10], got {aht_cv}")
    if routing not in ("roster", "skills"):
        raise InputError(f"routing: expected roster or skills, got {routing!r}")
    if interval_minutes <= 0 or 1440 % interval_minutes:
        raise InputError(f"interval_minutes: expected a divisor of a day such as 15, 30 or 60, got {interval_minutes}")
